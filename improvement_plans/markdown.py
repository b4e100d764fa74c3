"""The return's narrative keeps its structure: a small, safe subset of Markdown, parsed once
(markdown-it-py) and printed the same way in the web page, the PDF and the Word document.

What works: paragraphs (a blank line between them; a single line break stays a line break),
bulleted lists ("- " or "* "), numbered lists ("1. "), nested lists (indented), headings
(a line starting with "#"; every heading is one level, below the prompt's) and emphasis
(*italic*, **bold**). Nothing else gets through: the parser's HTML is off, so markup is
printed as the text it is; links, images, code, quotes and tables are not parsed, so
`[text](address)` reads as written and no address becomes a link.
"""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

from hicm_portal.templatetags.pdf_text import breakable

# What the narrative form tells the facilitator, under its fields.
FORMATTING_HINT = (
    "You can format the text: leave a blank line between paragraphs, start lines with “- ” "
    "for a bulleted list or “1. ” for a numbered list, start a line with “# ” for a "
    "subheading, and write *italic* or **bold**. Links and other formatting are shown as "
    "plain text."
)

# "zero" has paragraphs and text only; these are the rules added to it.
_RULES = ["heading", "list", "emphasis", "escape", "newline"]
_PARSER = MarkdownIt(
    "zero", {"html": False, "linkify": False, "typographer": False, "breaks": True}
).enable(_RULES)

# GOV.UK classes for the page (the PDF's stylesheet styles the elements).
_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "heading_open": "govuk-heading-s",
}
HEADING_TAG = "h4"  # below the section (h2) and the prompt (h3)


def tokens(text: str) -> list[Token]:
    return _PARSER.parse(text or "")


def to_html(text: str) -> SafeString:
    """The narrative as HTML. The renderer escapes all text (and html is off), so the result
    is safe; long runs of characters get break opportunities, as elsewhere in the return."""
    parsed = tokens(text)
    for token in parsed:
        if token.type in ("heading_open", "heading_close"):
            token.tag = HEADING_TAG
        if token.type in _CLASSES:
            token.attrSet("class", _CLASSES[token.type])
        for child in token.children or []:
            if child.type == "text":
                child.content = str(breakable(child.content))
    return mark_safe(_PARSER.renderer.render(parsed, _PARSER.options, {}))  # noqa: S308


def list_starts(text: str) -> set[int]:
    """The first numbers of the narrative's numbered lists that do not start at 1: the PDF
    sets its counters for them (WeasyPrint does not read the `start` attribute; browsers do)."""
    return {
        int(token.attrGet("start"))
        for token in tokens(text)
        if token.type == "ordered_list_open" and token.attrGet("start") not in (None, 1, "1")
    }


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    line_break: bool = False  # a line break before the text


@dataclass
class Block:
    """A paragraph of the narrative for the Word document.

    kind: "paragraph", "heading", "bullet" or "number" (a list item's first paragraph), or
    "continued" (a list item's later paragraph); depth: 1 for a top-level list's items;
    start: for the first item of a numbered list, the number it starts at."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    depth: int = 0
    start: int | None = None


def blocks(text: str) -> list[Block]:
    """The narrative as the blocks of the Word document, from the same tokens as the HTML."""
    result: list[Block] = []
    lists: list[dict] = []  # open lists, innermost last: {"ordered", "start", "fresh"}
    item_first: list[bool] = []  # per open list item: its first paragraph is still to come
    heading = False
    for token in tokens(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            start = int(token.attrGet("start") or 1) if ordered else None
            lists.append({"ordered": ordered, "start": start, "fresh": True})
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            item_first.append(True)
        elif token.type == "list_item_close":
            item_first.pop()
        elif token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline":
            block = Block(kind="paragraph", runs=_runs(token.children or []))
            if heading:
                block.kind = "heading"
            elif lists and item_first and item_first[-1]:
                current = lists[-1]
                block.kind = "number" if current["ordered"] else "bullet"
                block.depth = len(lists)
                if current["ordered"] and current["fresh"]:
                    block.start = current["start"]
                current["fresh"] = False
                item_first[-1] = False
            elif lists:
                block.kind = "continued"
                block.depth = len(lists)
            result.append(block)
    return result


def _runs(children: list[Token]) -> list[Run]:
    runs: list[Run] = []
    bold = italic = line_break = False
    for child in children:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("softbreak", "hardbreak"):
            line_break = True
        elif child.content:
            runs.append(Run(child.content, bold=bold, italic=italic, line_break=line_break))
            line_break = False
    return runs
