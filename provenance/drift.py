"""Drift: has the main text of a source changed since its first good capture?

The comparison works on extracted main text (never raw HTML), so menus, "most read" boxes
and dates in the page header do not count. Steps, cheapest first:

1. the SHA-256 of the whitespace-normalized text: equal means ``live``;
2. trafilatura's simhash fingerprint (64-bit Charikar): reported as ``simhash_similarity``;
   it misses one-word edits ("not"), so it is evidence, not the decision;
3. a word-level diff (difflib): the source is ``changed`` when the word similarity ratio
   falls below ``min_ratio`` (default 0.98) or at least ``max_changed_words`` words
   (default 10) were inserted or removed — the latter catches a paragraph added to a long
   article, whose ratio stays high.

The words both texts share at their start and end are matched first, and difflib only sees
what lies between. difflib's time grows with the square of the words it sees, so when more
than ``MAX_DIFF_WORDS`` remain (a huge page rewritten throughout), the words are compared as
bags instead (each word counted, order ignored): never a stalled check, and the evidence
says which way was used (``diff``: ``words`` or ``bag``).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from provenance.states import SourceState

DEFAULT_MIN_RATIO = 0.98
DEFAULT_MAX_CHANGED_WORDS = 10
MAX_DIFF_WORDS = 20_000  # words (both sides) difflib sees; beyond, bags of words

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def normalize_text(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def simhash_similarity(a: str, b: str) -> float:
    """Similarity of two texts' trafilatura fingerprints (1.0 = same fingerprint)."""
    from trafilatura.deduplication import Simhash  # heavy: loaded on first use
    return Simhash(normalize_text(a)).similarity(Simhash(normalize_text(b)))


@dataclass(frozen=True)
class DriftPolicy:
    min_ratio: float = DEFAULT_MIN_RATIO
    max_changed_words: int = DEFAULT_MAX_CHANGED_WORDS


@dataclass(frozen=True)
class Drift:
    state: SourceState  # LIVE or CHANGED
    identical: bool
    simhash_similarity: float
    word_ratio: float
    words_added: int
    words_removed: int
    diff: str = "words"  # how the words were compared: "words" (in order) or "bag"

    def evidence(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "simhash_similarity": round(self.simhash_similarity, 4),
            "word_ratio": round(self.word_ratio, 4),
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "diff": self.diff,
        }


@dataclass(frozen=True)
class _Middle:
    """Two word lists with the words they share at start and end set aside."""

    old: list[str]
    new: list[str]
    start: int  # words shared at the start
    end: int  # words shared at the end

    @property
    def small(self) -> bool:
        return len(self.old) + len(self.new) <= MAX_DIFF_WORDS

    def matcher(self) -> difflib.SequenceMatcher[str]:
        return difflib.SequenceMatcher(None, self.old, self.new, autojunk=False)


def _middle(old: list[str], new: list[str], keep: int = 0) -> _Middle:
    """Set aside the common prefix and suffix, except ``keep`` words of each next to what
    differs (context for a diff)."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    start, end = max(0, start - keep), max(0, end - keep)
    return _Middle(old[start : len(old) - end], new[start : len(new) - end], start, end)


def compare(baseline: str, current: str, policy: DriftPolicy | None = None) -> Drift:
    """Compare the first good capture's main text with the current one."""
    rules = policy or DriftPolicy()
    if text_sha256(baseline) == text_sha256(current):
        return Drift(SourceState.LIVE, True, 1.0, 1.0, 0, 0)
    old, new = words(baseline), words(current)
    middle = _middle(old, new)
    if middle.small:
        how = "words"
        matched, added, removed = 0, 0, 0
        for tag, i1, i2, j1, j2 in middle.matcher().get_opcodes():
            if tag == "equal":
                matched += i2 - i1
            if tag in ("replace", "delete"):
                removed += i2 - i1
            if tag in ("replace", "insert"):
                added += j2 - j1
    else:
        how = "bag"
        before, after = Counter(middle.old), Counter(middle.new)
        matched = sum((before & after).values())
        removed, added = sum((before - after).values()), sum((after - before).values())
    total = len(old) + len(new)
    ratio = 2.0 * (middle.start + middle.end + matched) / total if total else 1.0
    changed = ratio < rules.min_ratio or added + removed >= rules.max_changed_words
    return Drift(
        SourceState.CHANGED if changed else SourceState.LIVE,
        False,
        simhash_similarity(baseline, current),
        ratio,
        added,
        removed,
        how,
    )


def word_diff(baseline: str, current: str, context: int = 8) -> list[str]:
    """Word-level diff hunks (``[-removed-]{+added+}`` with a few words of context)."""
    middle = _middle(words(baseline), words(current), keep=context)
    if not middle.small:
        return [
            f"(too much differs to show word by word: {len(middle.old)} words before, "
            f"{len(middle.new)} after, between the {middle.start} words both begin with "
            f"and the {middle.end} both end with)"
        ]
    return list(_hunks(middle, context))


def _hunks(middle: _Middle, context: int) -> Iterator[str]:
    old, new = middle.old, middle.new
    for group in middle.matcher().get_grouped_opcodes(context):
        parts: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                parts.append(" ".join(old[i1:i2]))
                continue
            if i2 > i1:
                parts.append("[-" + " ".join(old[i1:i2]) + "-]")
            if j2 > j1:
                parts.append("{+" + " ".join(new[j1:j2]) + "+}")
        yield " ".join(p for p in parts if p)
