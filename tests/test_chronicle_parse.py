"""Parsing chronicles (text and HTML) without a database: entries, footnotes, problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from provenance.chronicle import (
    ChronicleDocument,
    ChronicleError,
    parse_bytes,
    parse_html,
    parse_text,
)
from provenance.chronicle.dates import match_entry_date, place_of
from provenance.chronicle.decode import MAX_BYTES
from provenance.states import ProblemKind
from tests.chronicle_html import chronicle_html
from tests.conftest import MAY_2024, NOV_2023

MAY_TITLE = "Monitoring of political persecution in the Republic of Kazakhstan, May 2024"
NOV_TITLE = "Monitoring of political persecution in the Republic of Kazakhstan, November 2023"


def _text(path: object) -> ChronicleDocument:
    return parse_bytes(path.read_bytes(), path.name)  # type: ignore[attr-defined]


def _html(path: object, title: str) -> ChronicleDocument:
    page = chronicle_html(path.read_text(encoding="utf-8"), title)  # type: ignore[attr-defined]
    return parse_bytes(page.encode("utf-8"), "chronicle.html")


READERS: dict[str, Callable[[], ChronicleDocument]] = {
    "may-text": lambda: _text(MAY_2024),
    "may-html": lambda: _html(MAY_2024, MAY_TITLE),
    "nov-text": lambda: _text(NOV_2023),
    "nov-html": lambda: _html(NOV_2023, NOV_TITLE),
}


def _by_kind(doc: ChronicleDocument, kind: ProblemKind) -> list[int | None]:
    return [p.footnote for p in doc.problems if p.kind is kind]


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_may_2024_expectations(fmt: str) -> None:
    doc = READERS[f"may-{fmt}"]()
    assert doc.period == "2024-05"
    assert len(doc.entries) == 103
    assert len(doc.markers) == 104
    assert len(doc.footnotes) == 96
    assert len(doc.citations) == 96
    assert _by_kind(doc, ProblemKind.UNRESOLVED_MARKER) == [4, 12, 15, 18, 30, 56, 67, 84]
    assert _by_kind(doc, ProblemKind.UNUSED_FOOTNOTE) == []
    [duplicate] = [p for p in doc.problems if p.kind is ProblemKind.DUPLICATE_URL]
    assert duplicate.footnote == 17 and "[16]" in duplicate.detail
    [malformed] = [p for p in doc.problems if p.kind is ProblemKind.MALFORMED_URL]
    assert malformed.footnote == 69
    assert doc.footnotes[69].startswith("mailto:https://adilsoz.kz/")
    assert malformed.candidate == doc.footnotes[69].removeprefix("mailto:")
    assert _by_kind(doc, ProblemKind.PREVIEW_LINK) == [96, 97]
    assert _by_kind(doc, ProblemKind.TRACKING_PARAMS) == []
    assert _by_kind(doc, ProblemKind.UNSUPPORTED_SCHEME) == []
    assert _by_kind(doc, ProblemKind.DATE_OUT_OF_ORDER) == []


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_november_2023_expectations(fmt: str) -> None:
    doc = READERS[f"nov-{fmt}"]()
    assert doc.period == "2023-11"
    assert len(doc.entries) == 95
    assert len(doc.markers) == 96
    assert len(doc.footnotes) == 88
    assert _by_kind(doc, ProblemKind.UNRESOLVED_MARKER) == [17, 21, 23, 47, 54, 62, 70, 75]
    [duplicate] = [p for p in doc.problems if p.kind is ProblemKind.DUPLICATE_URL]
    assert duplicate.footnote == 83 and "[82]" in duplicate.detail
    tracking = [p for p in doc.problems if p.kind is ProblemKind.TRACKING_PARAMS]
    assert [p.footnote for p in tracking] == [15, 33]
    assert all("fbclid" in p.detail and "fbclid" not in (p.candidate or "x") for p in tracking)
    out_of_order = [p.detail for p in doc.problems if p.kind is ProblemKind.DATE_OUT_OF_ORDER]
    pairs = [
        (before, after)
        for before, after in zip(doc.entries, doc.entries[1:], strict=False)
        if (before.date, after.date) == (dt.date(2023, 11, 23), dt.date(2023, 11, 16))
    ]
    assert len(pairs) == 1
    before, after = pairs[0]
    assert after.text.startswith("November 16, Almaty, overview")
    expected = (
        f"entry {after.position} dated 2023-11-16 follows entry {before.position} dated 2023-11-23"
    )
    assert expected in out_of_order


@pytest.mark.parametrize("key", sorted(READERS))
def test_html_and_text_agree(key: str) -> None:
    """The HTML version reads exactly like the text it was built from."""
    if key.endswith("html"):
        html_doc, text_doc = READERS[key](), READERS[key.replace("html", "text")]()
        assert html_doc.entries == text_doc.entries
        assert html_doc.footnotes == text_doc.footnotes
        assert [(p.kind, p.footnote) for p in html_doc.problems] == [
            (p.kind, p.footnote) for p in text_doc.problems
        ]


def test_entries_keep_date_place_text_markers() -> None:
    doc = READERS["may-text"]()
    first = doc.entries[0]
    assert (first.position, first.date, first.place) == (1, dt.date(2024, 5, 1), "Almaty")
    assert first.markers == (1,)
    assert first.text.startswith("May 1, Almaty, the photo exhibition")
    washington = doc.entries[1]
    assert washington.date == dt.date(2024, 5, 1) and washington.place == "Washington"
    # "May 6, …" continues over two more paragraphs; its marker [17] is in the last one.
    sami = next(e for e in doc.entries if e.date == dt.date(2024, 5, 6))
    assert sami.text.count("\n") == 2 and sami.markers == (17,)
    # " May 11," starts with a no-break space
    assert any(e.date == dt.date(2024, 5, 11) and e.place == "Shymkent" for e in doc.entries)
    positions = [e.position for e in doc.entries]
    assert positions == list(range(1, 104))
    assert not any("Нажмите" in e.text or "Поделись" in e.text for e in doc.entries)


def test_html_marker_number_comes_from_href_and_url_from_href() -> None:
    page = """<html><body><div class="entry-content">
    <p>May 1, Almaty, text<a href="#_ftn2" name="_ftnref2"><sup>[7]</sup></a>
    and more<sup><a href="#_ftn3" name="_ftnref3">3</a></sup>.</p>
    <p><a href="#_ftnref2" name="_ftn2">[2]</a> <a href="https://example.kz/real">https://example.kz/shown</a></p>
    <p><a href="#_ftnref3" name="_ftn3">[3]</a>
    <a href="https://t.me/x/1?utm_source=a">read here</a></p>
    </div></body></html>"""
    doc = parse_html(page, "x.html", year=2024)
    assert doc.entries[0].markers == (2, 3)
    assert doc.footnotes == {2: "https://example.kz/real", 3: "https://t.me/x/1?utm_source=a"}
    assert _by_kind(doc, ProblemKind.TRACKING_PARAMS) == [3]


@pytest.mark.parametrize(
    ("paragraph", "date", "place"),
    [
        ("May 1, Almaty, the exhibition", (5, 1, None), "Almaty"),
        ("May 1, 2024, Washington, D.C. (USA) The", (5, 1, 2024), "Washington"),
        ("On 2 May, Astana, blogger", (5, 2, None), "Astana"),
        ("On May 3, in Almaty, about a dozen", (5, 3, None), "Almaty"),
        ("\u00a0May 11, Shymkent, Bakytzhan", (5, 11, None), "Shymkent"),
        (" May 11, Shymkent, Bakytzhan", (5, 11, None), "Shymkent"),
        ("22 November, Aktau, Yeleusinov A.", (11, 22, None), "Aktau"),
        ("On December 1, in Mangistau region, workers", (12, 1, None), "Mangistau region"),
        ("1 мая, Алматы, активисты", (5, 1, None), "Алматы"),
        ("2 мая 2024 г. суд оштрафовал", (5, 2, 2024), None),
        ("November 23: “The police should", (11, 23, None), None),
        ("May 3, the World Press Freedom Day", (5, 3, None), None),
        ("May 14, Almaty police detained two women – G. and A. – out of six", (5, 14, None), None),
        ("November 16, Karaganda Regional Court partially granted", (11, 16, None), None),
    ],
)
def test_entry_dates(paragraph: str, date: tuple[int, int, int | None], place: str | None) -> None:
    start = match_entry_date(paragraph)
    assert start is not None
    assert (start.month, start.day, start.year) == date
    assert place_of(start.rest) == place


@pytest.mark.parametrize(
    "paragraph",
    [
        "Sami Ata Gul is trying to obtain Kazakh citizenship",
        'Нажмите "Enter" для перехода к содержанию',
        "Mayor of Almaty said",
        "May 32, Almaty",
        "In May 2024 the court",
        "2024 was a hard year",
    ],
)
def test_not_entry_dates(paragraph: str) -> None:
    assert match_entry_date(paragraph) is None


def test_year_from_title_name_or_text() -> None:
    body = "May 1, Almaty, a[1]\n\n[1] https://example.kz/a\n"
    assert parse_text(body, "2023-05-chronicle.txt").period == "2023-05"
    assert parse_text("Chronicle of May 2022\n\n" + body, "x.txt").period == "2022-05"
    assert parse_text("May 2, Almaty, on May 1, 2021 b\n" + body, "x.txt").year == 2021
    assert parse_text(body, "x.txt", year=2020).entries[0].date == dt.date(2020, 5, 1)
    with pytest.raises(ChronicleError, match="--year"):
        parse_text(body, "chronicle.txt")


def test_russian_chronicle_in_windows_1251() -> None:
    text = (
        "Хроника политических преследований, май 2024\n\n"
        "1 мая, Алматы, активисты провели пикет у здания акимата[1].\n\n"
        "2 мая 2024 г. Суд оштрафовал журналиста[2][3].\n\n"
        "Журналист заявил, что обжалует решение.\n\n"
        "[1] https://example.kz/a?fbclid=1\n\n[2] https://t.me/x/1\n\n[3] ftp://example.kz/f\n"
    )
    doc = parse_bytes(text.encode("cp1251"), "chronicle.txt")
    assert doc.title == "Хроника политических преследований, май 2024"
    assert doc.slug == "2024-05-хроника-политических-преследований"
    assert [(e.date.day, e.place, e.markers) for e in doc.entries] == [
        (1, "Алматы", (1,)),
        (2, None, (2, 3)),
    ]
    assert doc.entries[1].text.endswith("обжалует решение.")
    assert _by_kind(doc, ProblemKind.TRACKING_PARAMS) == [1]
    assert _by_kind(doc, ProblemKind.UNSUPPORTED_SCHEME) == [3]


def test_real_chronicle_in_windows_1251_decodes_like_utf8() -> None:
    data = MAY_2024.read_text(encoding="utf-8").encode("cp1251")
    doc = parse_bytes(data, MAY_2024.name)
    assert doc.entries == READERS["may-text"]().entries


def test_byte_order_mark_and_declared_charset() -> None:
    body = "May 1, Almaty, a “quote”[1]\n[1] https://example.kz/a\n"
    assert (
        parse_bytes(b"\xef\xbb\xbf" + body.encode(), "x-2024.txt")
        .entries[0]
        .text.startswith("May 1")
    )
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{body}</p></body></html>'
    doc = parse_bytes(page.replace("\n", "</p><p>").encode("cp1251"), "x-2024.html")
    assert "“quote”" in doc.entries[0].text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"Just some notes\nwithout any dates\n", "no dated entries"),
        (b"<html><body><p>No entries here</p></body></html>", "no dated entries"),
    ],
)
def test_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(ChronicleError, match=message) as info:
        parse_bytes(data, "input.txt", year=2024)
    assert "\n" not in str(info.value)


def test_too_large() -> None:
    data = b"May 1, Almaty, a\n" * (MAX_BYTES // 17 + 1)
    with pytest.raises(ChronicleError, match="MB"):
        parse_bytes(data, "big.txt", year=2024)


def test_duplicate_definition_and_unused_footnote_and_bad_urls() -> None:
    body = (
        "May 1, Almaty, a[1][2]\n"
        "May 2, Astana, b[3][5]\n"
        "[1] https://example.kz/a\n[1] https://example.kz/other\n"
        "[2] see the court decision\n[3] https//example.kz/c\n[4] https://example.kz/d\n"
        "[5] https://EXAMPLE.kz/a#x\n"
    )
    doc = parse_text(body, "x-2024.txt")
    kinds = {(p.kind, p.footnote) for p in doc.problems}
    assert kinds == {
        (ProblemKind.UNUSED_FOOTNOTE, 1),  # the second definition of [1]
        (ProblemKind.UNUSED_FOOTNOTE, 4),
        (ProblemKind.MALFORMED_URL, 2),
        (ProblemKind.MALFORMED_URL, 3),
        (ProblemKind.DUPLICATE_URL, 5),
    }
    assert doc.footnotes[1] == "https://example.kz/a"
    candidates = {
        p.footnote: p.candidate for p in doc.problems if p.kind is ProblemKind.MALFORMED_URL
    }
    assert candidates == {2: None, 3: "https://example.kz/c"}
