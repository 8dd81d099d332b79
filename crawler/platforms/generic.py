"""News sites and everything without a platform of its own, with the soft-404 checks."""

from __future__ import annotations

from crawler.platforms.base import Companion
from crawler.platforms.common import (
    answer_observation,
    base_evidence,
    heading_of,
    selector,
    title_of,
)
from crawler.platforms.probes import PROBES, HostProbes, fingerprint
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.evidence import is_login_url
from provenance.liveness import Observation
from provenance.soft404 import WEB_NOT_FOUND, phrase_in, redirected_to_front, resembles_probe
from provenance.states import Platform, SourceState


class GenericAdapter:
    platform = Platform.WEB

    def __init__(self, probes: HostProbes | None = None) -> None:
        self.probes = probes or PROBES

    def handles(self, url: str) -> bool:
        return True

    def companions(self, url: str) -> list[Companion]:
        probe = self.probes.companion_for(url)
        return [probe] if probe else []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        return []

    def observe(self, fetch: SourceFetch) -> Observation:
        for probe in fetch.by_role(Role.PROBE):
            self.probes.record(probe)
        page = fetch.page
        answer = answer_observation(page)
        if answer is not None:
            return answer
        assert page is not None
        evidence = base_evidence(page)
        if redirected_to_front(page.requested_url, page.final_url):
            return Observation(SourceState.GONE, {**evidence, "soft404": "redirect to front page"})
        if is_login_url(page.final_url):
            return Observation(SourceState.WALLED, {**evidence, "marker": "login redirect"})
        sel = selector(page)
        title = title_of(sel)
        if title:
            evidence["title"] = title[:200]
        marker = phrase_in(title, WEB_NOT_FOUND) or phrase_in(heading_of(sel), WEB_NOT_FOUND)
        if marker:
            return Observation(
                SourceState.GONE, {**evidence, "soft404": "phrase", "marker": marker}
            )
        probe = self.probes.result(page.requested_url)
        if probe is None:
            evidence["probe"] = "none"
        else:
            evidence["probe"] = {"url": probe.url, "status": probe.status}
            if probe.answers_200:
                alike, similarity = resembles_probe(probe, page.final_url, fingerprint(page))
                evidence["probe_similarity"] = similarity
                if alike:
                    return Observation(SourceState.GONE, {**evidence, "soft404": "probe"})
        return Observation(SourceState.LIVE, evidence, content=True)
