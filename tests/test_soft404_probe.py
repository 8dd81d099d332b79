"""The per-host probe must not take a live article for the host's not-found answer."""

from __future__ import annotations

import urllib.request

from crawler.platforms.probes import fingerprint
from crawler.results import FetchedExchange, Role
from provenance.soft404 import ProbeResult, probe_url, resembles_probe
from provenance.states import FetchOutcome
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb import catalogue as cat

ARTICLE = "https://rus.azattyq.org/a/32929363.html"


def _get(web: FixtureWeb, url: str) -> FetchedExchange:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": web.proxy_url}),
        urllib.request.HTTPSHandler(context=web.ssl_context()),
    )
    with opener.open(url, timeout=30) as resp:
        return FetchedExchange(
            role=Role.PAGE,
            requested_url=url,
            final_url=resp.url,
            outcome=FetchOutcome.CAPTURED,
            status=resp.status,
            headers=[("Content-Type", resp.headers.get("Content-Type", ""))],
            body=resp.read(),
        )


def _probe(web: FixtureWeb, url: str) -> ProbeResult:
    answer = _get(web, probe_url(url))
    return ProbeResult(
        host="",
        url=answer.requested_url,
        status=answer.status,
        final_url=answer.final_url,
        fingerprint=fingerprint(answer),
    )


def test_articles_of_a_host_that_answers_everything_are_not_its_not_found_page(
    fixture_web: FixtureWeb,
) -> None:
    """On a host where any unknown URL serves some other article with 200, no probe may make
    the real article look deleted (each probe URL is random: many draws, none may match)."""
    page = _get(fixture_web, ARTICLE)
    seen = [
        resembles_probe(_probe(fixture_web, ARTICLE), page.final_url, fingerprint(page))
        for _ in range(80)
    ]
    assert not any(resembles for resembles, _similarity in seen), max(s for _r, s in seen)


def test_the_home_page_served_for_a_deleted_article_still_matches(
    fixture_web: FixtureWeb,
) -> None:
    missing = _get(fixture_web, cat.SOFT404_MISSING)
    resembles, similarity = resembles_probe(
        _probe(fixture_web, cat.SOFT404_MISSING), missing.final_url, fingerprint(missing)
    )
    assert resembles, similarity
