"""What a browser posts when a person presses "Save as draft" on a change page.

Read from the page itself (the form that has a `save_draft` button, its CSRF token among the
fields), so the draft saves of deadline day are the posts the app really accepts. Plain
standard library: the locustfile uses it, and the tests import it without locust.
"""

from html.parser import HTMLParser

DRAFT_BUTTON = "save_draft"
DRAFT_RATIONALE = "Draft saved while the partners finish their returns on deadline day."


class DraftForm(HTMLParser):
    """The fields of the form that has a `save_draft` button, as a browser would post them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[list[tuple[str, str]], bool]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._draft = False
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = {name: value if value is not None else "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "form":
            self._fields, self._draft = [], False
        elif self._fields is None:
            return
        elif tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                self._draft = self._draft or name == DRAFT_BUTTON
            elif kind in ("radio", "checkbox"):
                if "checked" in attributes and name:
                    self._fields.append((name, attributes.get("value", "on")))
            elif name:
                self._fields.append((name, attributes.get("value", "")))
        elif tag == "button":
            self._draft = self._draft or name == DRAFT_BUTTON
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self._fields.append((self._select, attributes.get("value", "")))

    def handle_data(self, data) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag) -> None:
        if self._fields is None:
            return
        if tag == "textarea" and self._textarea is not None:
            if self._textarea:
                # A browser drops the newline that starts a textarea's content.
                self._fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.forms.append((self._fields, self._draft))
            self._fields = None


def draft_form(html: str) -> list[tuple[str, str]] | None:
    """What "Save as draft" posts from this page, or None when the page has no such form. An
    empty rationale gets a sentence, as a person saving a draft would have typed something."""
    parser = DraftForm()
    parser.feed(html)
    parser.close()
    fields = next((fields for fields, draft in parser.forms if draft), None)
    if fields is None:
        return None
    fields = [
        (name, value if name != "rationale" or value.strip() else DRAFT_RATIONALE)
        for name, value in fields
    ]
    return [*fields, (DRAFT_BUTTON, "")]
