"""Dates that start chronicle entries (English and Russian forms), places, and years."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from dataclasses import dataclass

EN_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
EN_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
EN_MONTHS["sept"] = 9
_RU_STEMS = (
    ("январ", "января"),
    ("феврал", "февраля"),
    ("март", "марта"),
    ("апрел", "апреля"),
    ("май", "мая"),
    ("июн", "июня"),
    ("июл", "июля"),
    ("август", "августа"),
    ("сентябр", "сентября"),
    ("октябр", "октября"),
    ("ноябр", "ноября"),
    ("декабр", "декабря"),
)
RU_MONTHS = {genitive: i for i, (_, genitive) in enumerate(_RU_STEMS, start=1)}
ALL_MONTH_WORDS = set(EN_MONTHS) | set(RU_MONTHS) | {stem for stem, _ in _RU_STEMS} | {"май"}

_EN = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_RU = "|".join(sorted(RU_MONTHS, key=len, reverse=True))
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_END = r"(?=$|[\s,.:;–—-])"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_PATTERNS = (
    # May 1, Almaty / On May 3, in Almaty / May 1, 2024, Washington
    re.compile(
        rf"^(?:on\s+)?(?P<month>{_EN})\.?\s+{_DAY}(?:\s*,\s*{_YEAR}(?=\s*(?:[,.:;]|$)))?{_END}"
    ),
    # On 2 May, Astana / 22 November, Aktau / 2 May 2024
    re.compile(rf"^(?:on\s+)?{_DAY}\s+(?P<month>{_EN})\.?(?:\s*,?\s*{_YEAR}\b)?{_END}"),
    # 1 мая, Алматы / 2 мая 2024 г.
    re.compile(
        rf"^(?:в\s+)?(?P<day>\d{{1,2}})\s+(?P<month>{_RU})(?:\s+{_YEAR}(?:\s*(?:года|г\.?))?)?{_END}"
    ),
)
_PATTERNS = tuple(re.compile(p.pattern, re.IGNORECASE) for p in _PATTERNS)
_LEADING = " \t\u00a0\u2007\u202f\ufeff•·*–—-"

# Full dates anywhere in a text, used to tell a chronicle's year when nothing else does.
_FULL_DATES = (
    re.compile(rf"\b(?:{_EN})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}\s+(?:{_EN}|{_RU})\.?,?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b\d{{1,2}}\.\d{{1,2}}\.{_YEAR}\b"),
)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")

# Lower-case words that may appear inside a place name ("Mangistau region", "Republic of ...").
_PLACE_WORDS = frozenset(
    "region oblast district city town village settlement province of the and"
    " область области район района город села село поселок посёлок г.".split()
)
_MAX_PLACE_WORDS = 6


@dataclass(frozen=True)
class DateStart:
    """A paragraph that starts with a date: day, month, the year when written, and the rest."""

    day: int
    month: int
    year: int | None
    rest: str


def _month_number(word: str) -> int:
    word = word.lower().rstrip(".")
    return EN_MONTHS.get(word) or RU_MONTHS[word]


def match_entry_date(paragraph: str) -> DateStart | None:
    """The date a paragraph starts with, or None when it does not start a dated entry."""
    text = paragraph.lstrip(_LEADING)
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        day, month = int(match["day"]), _month_number(match["month"])
        if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: leap year
            return None
        year = int(match["year"]) if match["year"] else None
        return DateStart(day, month, year, text[match.end() :])
    return None


def place_of(rest: str) -> str | None:
    """The place stated right after an entry's date (``May 1, Almaty, …``), if any."""
    text = rest.lstrip(" ,:;.–—-\u00a0")
    if text[:3].lower() == "in ":
        text = text[3:].lstrip()
    segment = text.split(",", 1)[0].strip()
    words = segment.split()
    if not words or len(words) > _MAX_PLACE_WORDS or len(segment) > 60:
        return None
    if not words[0][0].isupper() or any(c in segment for c in '"“”«»:;()[]'):
        return None
    for word in words[1:]:
        if not (word[0].isupper() or word.lower() in _PLACE_WORDS):
            return None
    return segment


def year_in(text: str) -> int | None:
    """The first plausible year (19xx/20xx) written in a title, file name or URL."""
    match = _ANY_YEAR.search(text)
    return int(match.group(1)) if match else None


def explicit_year(paragraphs: list[str]) -> int | None:
    """The most common year of the full dates written in the paragraphs, if any."""
    years: Counter[int] = Counter()
    for paragraph in paragraphs:
        for pattern in _FULL_DATES:
            years.update(int(m["year"]) for m in pattern.finditer(paragraph))
    return years.most_common(1)[0][0] if years else None


def _is_period_word(word: str) -> bool:
    return (
        word in ALL_MONTH_WORDS
        or any(word.startswith(stem) for stem, _ in _RU_STEMS)
        or bool(_ANY_YEAR.fullmatch(word))
        or word in {"г", "года", "год"}
    )


def without_period_words(title: str) -> str:
    """A title without month names and years, for building a slug."""
    words = re.findall(r"[^\W_]+", title.lower())
    kept = [w for w in words if not _is_period_word(w)]
    while kept and kept[-1] in {"in", "for", "of", "за", "в", "на"}:
        kept.pop()
    return " ".join(kept)
