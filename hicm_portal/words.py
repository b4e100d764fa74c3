"""Words the GOV.UK way, for Python code and the template filters alike (templatetags/portal)."""


def possessive(name) -> str:
    """A name's possessive: "Testshire Council's", "Northshire Homes'" (a name ending in s
    takes the apostrophe alone, as GOV.UK style has it for plural names)."""
    text = str(name)
    if not text:
        return ""
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"
