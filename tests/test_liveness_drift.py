"""Drift of main text and the pure soft-404 signals."""

from __future__ import annotations

import time
from pathlib import Path

from provenance.drift import DriftPolicy, compare, simhash_similarity, word_diff
from provenance.soft404 import (
    WEB_NOT_FOUND,
    ProbeResult,
    phrase_in,
    probe_url,
    redirected_to_front,
    resembles_probe,
)
from provenance.states import SourceState

CHRONICLE = Path(__file__).resolve().parents[2] / "shared" / "chronicles"


def _article() -> str:
    text = (CHRONICLE / "2024-05-kazakhstan-political-persecution.txt").read_text("utf-8")
    paragraphs = [p for p in text.splitlines() if len(p) > 300]
    return "\n\n".join(paragraphs[:4])


def test_identical_text_is_live_whatever_the_whitespace() -> None:
    text = _article()
    drift = compare(text, "  " + text.replace("\n\n", "\n") + "\n")
    assert drift.state is SourceState.LIVE and drift.identical
    assert drift.evidence()["word_ratio"] == 1.0


def test_an_edited_sentence_is_changed_and_shown_word_by_word() -> None:
    text = _article()
    first = text.split(". ")[0]
    edited = text.replace(
        first, first + " and later released him without charge on Monday, police said"
    )
    drift = compare(text, edited)
    assert drift.state is SourceState.CHANGED and not drift.identical
    assert drift.words_added == 11 and drift.words_removed == 0
    assert drift.word_ratio > 0.98  # caught by the changed-word count, not by the ratio
    (hunk,) = word_diff(text, edited)
    assert "{+and later released him without charge on Monday , police said+}" in hunk


def test_a_short_rewrite_is_caught_by_the_ratio() -> None:
    before = "The court sentenced the activist to five years in a general regime colony."
    after = "The court acquitted the activist."
    drift = compare(before, after)
    assert drift.state is SourceState.CHANGED and drift.word_ratio < 0.98
    assert drift.simhash_similarity < 1.0


def test_a_tiny_edit_under_the_threshold_stays_live() -> None:
    text = _article()
    edited = text.replace(".", ";", 1)
    drift = compare(text, edited)
    assert drift.state is SourceState.LIVE and not drift.identical
    assert drift.words_added == drift.words_removed == 1
    strict = compare(text, edited, DriftPolicy(max_changed_words=1))
    assert strict.state is SourceState.CHANGED


def _huge(paragraphs: int = 3000) -> list[str]:
    """~200,000 words of chronicle paragraphs, numbered so that no two are alike."""
    article = _article().split("\n\n")
    return [f"{n}. {article[n % len(article)]}" for n in range(paragraphs)]


def test_a_paragraph_added_to_a_huge_page_is_found_word_by_word_and_quickly() -> None:
    """difflib only sees what lies between the shared start and end: a check of a huge
    page takes no longer than one of a short page."""
    before = _huge()
    added = "Суд отклонил апелляцию активиста в среду, сообщил его адвокат."
    after = before[:1500] + [added] + before[1500:]
    started = time.monotonic()
    drift = compare("\n\n".join(before), "\n\n".join(after))
    hunks = word_diff("\n\n".join(before), "\n\n".join(after))
    assert time.monotonic() - started < 10
    assert drift.state is SourceState.CHANGED and drift.evidence()["diff"] == "words"
    assert (drift.words_added, drift.words_removed) == (11, 0)
    (hunk,) = hunks
    assert "Суд отклонил апелляцию активиста в среду , сообщил его адвокат" in hunk
    assert hunk.count("{+") == 1 and "[-" not in hunk


def test_a_huge_page_rewritten_throughout_is_compared_as_bags_of_words() -> None:
    """Too much differs for difflib (its time grows with the square of the words): the words
    are counted instead, and the check still ends, saying how it compared."""
    before = _huge()
    after = [p.replace(" the ", " a ") for p in reversed(before)]
    started = time.monotonic()
    drift = compare("\n\n".join(before), "\n\n".join(after))
    (hunk,) = word_diff("\n\n".join(before), "\n\n".join(after))
    assert time.monotonic() - started < 10
    assert drift.state is SourceState.CHANGED and drift.evidence()["diff"] == "bag"
    assert drift.words_added == drift.words_removed > 0  # each "the" became "a"
    assert hunk.startswith("(too much differs to show word by word")


def test_simhash_similarity_is_trafilaturas_fingerprint() -> None:
    text = _article()
    assert simhash_similarity(text, text) == 1.0
    assert simhash_similarity(text, "Completely unrelated words about weather in spring.") < 0.8


def test_redirect_to_front_page() -> None:
    assert redirected_to_front("https://kaztag.kz/ru/news/sud-1", "https://kaztag.kz/ru/")
    assert redirected_to_front("https://www.orda.kz/2024/05/a-1/", "https://orda.kz/")
    assert not redirected_to_front("https://orda.kz/", "https://orda.kz/ru/")
    assert not redirected_to_front("https://orda.kz/a-1/", "https://orda.kz/a-1/")
    assert not redirected_to_front("https://orda.kz/a/b", "https://other.kz/")
    assert not redirected_to_front("https://orda.kz/old/1", "https://orda.kz/new/1")


def test_not_found_phrases_in_titles() -> None:
    assert phrase_in("Страница не найдена — Orda.kz", WEB_NOT_FOUND) == "страница не найдена"
    assert phrase_in("404 Not Found", WEB_NOT_FOUND) == "404 not found"
    assert phrase_in("Vlast.kz | Ошибка 404", WEB_NOT_FOUND) == "ошибка 404"
    assert phrase_in("Activist not found guilty by Almaty court", WEB_NOT_FOUND) is None
    assert phrase_in(None, WEB_NOT_FOUND) is None


def test_probe_url_stays_in_the_directory_and_never_repeats() -> None:
    one = probe_url("https://respublika.kz.media/archives/12345?x=1")
    two = probe_url("https://respublika.kz.media/archives/12345")
    assert one.startswith("https://respublika.kz.media/archives/sourcekeep-probe-")
    assert "?" not in one and one != two
    assert probe_url("https://vlast.kz/novosti/1.html").endswith(".html")


def test_probe_resemblance() -> None:
    probe = ProbeResult("h", "https://h/x", 200, "https://h/", "ffff0000ffff0000")
    assert resembles_probe(probe, "https://h/", None) == (True, 1.0)
    assert resembles_probe(probe, "https://h/a", "ffff0000ffff0001")[0]
    assert not resembles_probe(probe, "https://h/a", "0000ffff0000ffff")[0]
    honest = ProbeResult("h", "https://h/x", 404, "https://h/x", None)
    assert resembles_probe(honest, "https://h/x", "ffff0000ffff0000") == (False, None)
