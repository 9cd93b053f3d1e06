"""``descriptionFormatted``: an item's description "html-sanitized to readable text" (seed 003
§2.4.1: ``<p><b>Beschreibung</b> des <i>Produktes</i></p>`` ->
``Beschreibung des Produktes\\r\\n\\r\\n``). Pure, no I/O."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_END, LINE_END = "\r\n\r\n", "\r\n"
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "blockquote",
        "pre",
        "address",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "figure",
        "form",
        "fieldset",
        "hr",
    }
)
LINE_TAGS = frozenset({"li", "tr", "dt", "dd"})
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template"})
WHITESPACE = re.compile(r"\s+")
LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/]|&(?:[A-Za-z]+\d*|#\d+|#[xX][0-9a-fA-F]+);")
NEWLINES = re.compile(r"\r\n|\r|\n")


class _TextCollector(HTMLParser):
    """Renders HTML as text: a block element ends with an empty line (CRLF CRLF), a list item,
    table row or ``<br>`` with a line break; runs of white space become one blank (except in
    ``<pre>``); entities are decoded; scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.skipped = 0
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipped += 1
        elif tag == "br":
            self.text = self.text.rstrip(" ") + LINE_END
        elif tag in BLOCK_TAGS or tag in LINE_TAGS:
            if self.text and not self.text.endswith("\n"):
                self.text = self.text.rstrip(" ") + LINE_END
            self.preformatted += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipped = max(0, self.skipped - 1)
        elif tag in BLOCK_TAGS or tag in LINE_TAGS:
            self.preformatted = max(0, self.preformatted - (tag == "pre"))
            body = self.text.rstrip(" \r\n")
            if body:
                self.text = body + (BLOCK_END if tag in BLOCK_TAGS else LINE_END)

    def handle_data(self, data: str) -> None:
        if self.skipped:
            return
        if not self.preformatted:
            data = WHITESPACE.sub(" ", data)
            if not self.text or self.text.endswith("\n"):
                data = data.lstrip(" ")
        self.text += data


def html_to_text(description: str) -> str:
    """``descriptionFormatted`` of a description (seed 003 §2.4.1). Text without any HTML tag
    or entity is kept as written, with its line breaks as CRLF."""
    if not LOOKS_LIKE_HTML.search(description):
        return NEWLINES.sub(LINE_END, description)
    collector = _TextCollector()
    collector.feed(description)
    collector.close()
    return collector.text.rstrip(" ")
