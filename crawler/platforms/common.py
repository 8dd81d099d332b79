"""Helpers every adapter's ``observe`` uses: what an HTTP answer says before any page reading,
and reading a fetched HTML page."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.results import FetchedExchange
from provenance.liveness import Observation
from provenance.states import FetchOutcome, NetworkFailure, SourceState


def base_evidence(exchange: FetchedExchange) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "status": exchange.status,
        "outcome": FetchOutcome(exchange.outcome).value,
        "url": exchange.requested_url,
    }
    if exchange.final_url and exchange.final_url != exchange.requested_url:
        evidence["final_url"] = exchange.final_url
    if exchange.redirects:
        evidence["redirects"] = list(exchange.redirects)
    if exchange.error:
        evidence["error"] = exchange.error
    if exchange.network_failure:
        evidence["network_failure"] = NetworkFailure(exchange.network_failure).value
    return evidence


def is_ok(exchange: FetchedExchange | None) -> bool:
    return (
        exchange is not None
        and exchange.status is not None
        and 200 <= exchange.status < 300
        and FetchOutcome(exchange.outcome)
        in (FetchOutcome.CAPTURED, FetchOutcome.REVISIT, FetchOutcome.TRUNCATED)
    )


def answer_observation(exchange: FetchedExchange | None) -> Observation | None:
    """The observation an answer implies by itself (no page reading), or None for a 2xx.

    404/410 → gone; 401 → walled; 403/451/429 → blocked; 5xx, timeouts and network errors →
    unreachable, except a host name that no longer resolves → gone; refused URL → invalid.
    Through a proxy, a refused tunnel says nothing certain about the host (the proxy may
    be the one failing), so it stays unreachable.
    """
    if exchange is None:
        return Observation(SourceState.UNREACHABLE, {"reason": "not fetched"})
    evidence = base_evidence(exchange)
    outcome = FetchOutcome(exchange.outcome)
    if outcome is FetchOutcome.REFUSED:
        return Observation(SourceState.INVALID, {**evidence, "reason": "refused"})
    if outcome is FetchOutcome.TIMEOUT:
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": "timeout"})
    if outcome is FetchOutcome.NETWORK_ERROR:
        if exchange.network_failure is NetworkFailure.DNS:
            return Observation(SourceState.GONE, {**evidence, "reason": "host does not resolve"})
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": "network error"})
    status = exchange.status
    if status is None:
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": "no status"})
    if status in (404, 410):
        return Observation(SourceState.GONE, {**evidence, "reason": f"http {status}"})
    if status == 401:
        return Observation(SourceState.WALLED, {**evidence, "reason": "http 401"})
    if status in (403, 451, 429):
        return Observation(SourceState.BLOCKED, {**evidence, "reason": f"http {status}"})
    if status >= 500:
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": f"http {status}"})
    if 300 <= status < 400:
        return Observation(SourceState.UNREACHABLE, {**evidence, "reason": "redirect not followed"})
    if status >= 400:
        return Observation(SourceState.BLOCKED, {**evidence, "reason": f"http {status}"})
    return None


def page_text(exchange: FetchedExchange) -> str:
    """The body as text, decoded the way Scrapy decodes HTML (header, BOM, meta, guess)."""
    _encoding, text = html_to_unicode(exchange.content_type or "", exchange.body)
    return text


def selector(exchange: FetchedExchange) -> Selector:
    return Selector(text=page_text(exchange) or "<html></html>")


def title_of(sel: Selector) -> str | None:
    value = sel.css("title::text").get()
    return value.strip() if value else None


def heading_of(sel: Selector) -> str | None:
    value = " ".join(t.strip() for t in sel.css("h1 ::text").getall() if t.strip())
    return value or None


def visible_text(sel: Selector) -> str:
    parts = sel.xpath(
        "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
    ).getall()
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def contains_phrase(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first phrase found in ``text`` (case-insensitive; curly apostrophes folded)."""
    folded = text.replace("\u2019", "'").lower()
    for phrase in phrases:
        if phrase.replace("\u2019", "'").lower() in folded:
            return phrase
    return None
