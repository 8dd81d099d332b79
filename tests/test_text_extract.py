"""Text extraction: charsets without declarations, metadata, fingerprints, process pools."""

from __future__ import annotations

import hashlib
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from archive.charset import decode
from archive.text import Extracted, extract, simhash, similarity
from tests.validators import samples

URL = "https://kaztag.kz/ru/news/123"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-8"])
def test_cyrillic_pages_decode_without_any_charset_declaration(encoding: str) -> None:
    html = samples.article_html().encode(encoding)
    got = extract(html, "text/html", URL)
    assert got.encoding == encoding
    assert got.title == "Суд над журналистом"
    assert "приговорил журналиста" in got.text
    assert "Все права защищены" not in got.text  # boilerplate left out


def test_meta_and_http_charsets_are_honoured() -> None:
    page = samples.article_html().replace(
        "<head>", "<head><meta charset='koi8-r'>"
    ).encode("koi8_r")
    assert decode(page)[1] == "koi8-r"
    assert decode(samples.article_html().encode("cp1251"), "text/html; charset=windows-1251")[
        1
    ] == "cp1251"
    # a declaration the bytes contradict is not trusted
    assert decode(samples.article_html().encode("utf-8"), "text/html; charset=ascii")[1] == (
        "utf-8"
    )


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8"])
def test_a_utf8_body_cut_inside_a_character_stays_utf8(content_type: str | None) -> None:
    body = samples.article_html().encode("utf-8")
    cut = body[: body.index("приговорил".encode()) + 3]  # ends in the middle of "р"
    text, encoding = decode(cut, content_type)
    assert encoding == "utf-8"
    assert text.endswith("п")


def test_metadata_and_fingerprints() -> None:
    got = extract(samples.article_html().encode("utf-8"), "text/html; charset=utf-8", URL)
    assert got.author == "Айгуль Нурланова"
    assert got.date == "2024-05-13"
    assert got.language == "ru"
    assert got.sha256 == hashlib.sha256(got.text.encode("utf-8")).hexdigest()
    assert got.simhash is not None and len(got.simhash) == 16
    assert got.simhash == simhash(got.text)


def test_similarity_of_simhashes() -> None:
    a = extract(samples.article_html(paragraphs=6).encode(), "text/html", URL)
    b_html = samples.article_html(paragraphs=6).replace("Абзац 5.", "Абзац 5 (обновлено).")
    b = extract(b_html.encode(), "text/html", URL)
    other = simhash("Совсем другой текст о погоде в Астане и ценах на хлеб " * 20)
    assert a.simhash and b.simhash
    assert similarity(a.simhash, a.simhash) == 1.0
    assert similarity(a.simhash, b.simhash) > 0.9
    assert similarity(a.simhash, other) < similarity(a.simhash, b.simhash)


def test_non_html_yields_no_text() -> None:
    got = extract(samples.PDF, "application/pdf", "https://adilsoz.kz/r.pdf")
    assert got == Extracted(text="")
    assert got.empty
    plain = extract("Заявление правозащитников".encode("cp1251"), "text/plain", URL)
    assert plain.text == "Заявление правозащитников"


def test_extract_runs_in_a_process_pool() -> None:
    pages = [samples.article_html(f"Статья {i}").encode("cp1251") for i in range(3)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(extract, pages, ["text/html"] * 3, [URL] * 3))
    assert [r.title for r in results] == ["Статья 0", "Статья 1", "Статья 2"]
    assert pickle.loads(pickle.dumps(results[0])) == results[0]
