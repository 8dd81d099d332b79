"""HTML chronicles: WordPress pages exported from Word.

Markers are links to the footnotes, ``<a href="#_ftn28" name="_ftnref28">[28]</a>``, possibly
inside ``<sup>``; definitions at the end link back,
``<a href="#_ftnref28" name="_ftn28">[28]</a> <a href="https://…">https://…</a>``. The cited
URL is the ``href`` of the definition's link, whatever its text says.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from provenance.chronicle.decode import decode
from provenance.chronicle.document import RawChronicle, assemble
from provenance.chronicle.errors import ChronicleError
from provenance.chronicle.model import ChronicleDocument
from provenance.chronicle.text import DEFINITION_RE, cited_text

MARKER_HREF = re.compile(r"#_?ftn(\d+)$", re.IGNORECASE)
BACKLINK_HREF = re.compile(r"#_?ftnref(\d+)$", re.IGNORECASE)
DEFINITION_NAME = re.compile(r"^_?ftn(\d+)$", re.IGNORECASE)
BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "div", "pre")
CHROME = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form")
CONTENT_XPATHS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
    "//article",
    "//main",
    "//body",
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—]\s+")


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _title(root: etree._Element) -> str | None:
    for xpath in ("//h1[contains(@class, 'entry-title')]", "//article//h1", "//h1"):
        found = root.xpath(xpath)
        if found and _text(found[0]):
            return _text(found[0])
    found = root.xpath("//title")
    if found and _text(found[0]):
        return _TITLE_SEPARATORS.split(_text(found[0]))[0]
    return None


def _backlink_number(anchor: etree._Element) -> int | None:
    match = BACKLINK_HREF.search(anchor.get("href", "")) or DEFINITION_NAME.match(
        anchor.get("name") or anchor.get("id") or ""
    )
    return int(match.group(1)) if match and not MARKER_HREF.search(anchor.get("href", "")) else None


def _block_of(element: etree._Element, content: etree._Element) -> etree._Element:
    for ancestor in element.iterancestors():
        if ancestor is content:
            break
        if ancestor.tag in BLOCKS:
            return ancestor
    return element


def _links(block: etree._Element) -> list[etree._Element]:
    return [a for a in block.iter("a") if not a.get("href", "#").strip().startswith("#")]


def _read_block(block: etree._Element) -> dict[int, str]:
    """The definitions in one block: each backlink, then the href of the link after it."""
    cited: dict[int, str] = {}
    current: int | None = None
    links = set(_links(block))
    for anchor in block.iter("a"):
        number = _backlink_number(anchor)
        if number is not None:
            current = number
            following = (anchor.tail or "").strip()
            if following:
                cited[number] = cited_text(following)
        elif current is not None and anchor in links:
            cited[current] = anchor.get("href", "").strip()
            current = None
    return cited


def _definitions(content: etree._Element) -> list[tuple[int, str]]:
    """Read the footnote definitions and take them out of the content.

    Definitions are found by their backlinks; blocks that merely start with ``[N]`` (pasted
    without Word's anchors) count as definitions too.
    """
    blocks: list[etree._Element] = []
    for anchor in content.iter("a"):
        if _backlink_number(anchor) is not None:
            block = _block_of(anchor, content)
            if block not in blocks:
                blocks.append(block)
    definitions: list[tuple[int, str]] = []
    for block in blocks:
        definitions.extend(_read_block(block).items())
    taken = {el for b in blocks for el in b.iter()}
    for block in content.iter(*BLOCKS):
        if block in taken:
            continue
        match = DEFINITION_RE.match(_text(block))
        if match and not any(b.tag in BLOCKS for b in block.iterdescendants()):
            links = _links(block)
            url = links[0].get("href", "").strip() if links else cited_text(match.group(2))
            definitions.append((int(match.group(1)), url))
            blocks.append(block)
    for block in blocks:
        block.drop_tree()
    return definitions


def _paragraphs(content: etree._Element) -> list[str]:
    for br in content.iter("br"):
        br.tail = "\n" + (br.tail or "")
    leaves = [
        el for el in content.iter(*BLOCKS) if not any(d.tag in BLOCKS for d in el.iterdescendants())
    ]
    if not leaves:
        leaves = [content]
    lines: list[str] = []
    for leaf in leaves:
        lines.extend(" ".join(line.split()) for line in leaf.text_content().split("\n"))
    return [line for line in lines if line]


def read_html(data: str | bytes, name: str = "") -> RawChronicle:
    text = decode(data, name or "the document") if isinstance(data, bytes) else data
    if not text.strip():
        raise ChronicleError(f"{name or 'the document'} is empty")
    try:
        root = lxml_html.document_fromstring(_XML_DECLARATION.sub("", text))
    except etree.ParserError as exc:
        raise ChronicleError(f"{name or 'the document'} is not readable HTML: {exc}") from exc
    title = _title(root)
    for element in root.xpath("|".join(f"//{tag}" for tag in CHROME)):
        if element.getparent() is not None:
            element.drop_tree()
    content = next((found[0] for xp in CONTENT_XPATHS if (found := root.xpath(xp))), root)
    for anchor in content.iter("a"):
        match = MARKER_HREF.search(anchor.get("href", ""))
        if match:  # the marker's number is the footnote it links to, whatever its text
            for child in list(anchor):
                anchor.remove(child)
            anchor.text = f"[{match.group(1)}]"
    definitions = _definitions(content)
    return RawChronicle(
        name=name,
        media_type="text/html",
        title=title,
        paragraphs=_paragraphs(content),
        definitions=definitions,
    )


def parse_html(data: str | bytes, name: str = "", year: int | None = None) -> ChronicleDocument:
    """Parse an HTML chronicle (``name``, a file name or URL, hints at the year)."""
    return assemble(read_html(data, name), year)
