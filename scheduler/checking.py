"""One check run: fetch every source again (captured like any fetch: unchanged payloads
become revisit records), let its platform adapter say what the answer means, apply drift
against the first good capture, and move each source's state.

The per-source work happens in :class:`LivenessHook`, which the crawl pipeline calls in its
storage thread once a source's captures and texts are stored.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from http.cookiejar import MozillaCookieJar
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from crawler.platforms import PROBES, Adapter, adapter_for
from crawler.platforms.probes import host_key
from crawler.platforms.youtube import YouTubeAdapter, ytdlp_metadata
from crawler.results import Role, SourceFetch
from crawler.settings import CrawlOptions, software
from crawler.spider import Target
from crawler.store import StoredSource
from provenance import captures
from provenance.config import Settings
from provenance.drift import DriftPolicy, compare
from provenance.evidence import first_good_capture
from provenance.liveness import LivenessPolicy, Observation, record_check
from provenance.models import Capture, Source
from provenance.states import (
    FetchOutcome,
    NetworkFailure,
    Platform,
    RunKind,
    RunStatus,
    SourceState,
)
from scheduler.archiving import resolve_chronicles
from scheduler.runs import crawl_run, prepared

log = logging.getLogger(__name__)


def evidence_capture(stored: StoredSource, observation: Observation) -> int | None:
    """The capture an observation rests on: the page, or the companion it read."""
    wanted = Role(observation.evidence.get("role", Role.PAGE.value))
    page_id = None
    for result, capture_id in zip(stored.item.results, stored.capture_ids, strict=True):
        if result.role is wanted and capture_id is not None:
            return capture_id
        if result.role is Role.PAGE:
            page_id = capture_id
    return page_id


def partial_content(fetch: SourceFetch, observation: Observation) -> Observation:
    """A page cut at the size cap answers, but holds only part of the source's content: it
    is no evidence of the content, and its text is no ground for drift (a cut text always
    looks changed)."""
    page = fetch.page
    on_page = Role(observation.evidence.get("role", Role.PAGE.value)) is Role.PAGE
    if not (observation.content and on_page and page is not None):
        return observation
    if page.outcome is not FetchOutcome.TRUNCATED:
        return observation
    return replace(observation, content=False, evidence={**observation.evidence, "cut": True})


def apply_drift(
    session: Session,
    source: Source,
    observation: Observation,
    capture_id: int | None,
    policy: DriftPolicy,
) -> Observation:
    """Turn a reachable observation into ``live`` or ``changed`` against the first good capture
    of the same URL (main text; body hash when neither side has text)."""
    if observation.state is not SourceState.LIVE or not observation.content or capture_id is None:
        return observation
    current = session.get(Capture, capture_id)
    if current is None:
        return observation
    baseline = first_good_capture(session, source.id or 0, current.requested_url)
    if baseline is None or baseline.id == current.id:
        return observation.with_state(SourceState.LIVE, baseline_capture=capture_id)
    extra: dict[str, Any] = {"baseline_capture": baseline.id}
    if baseline.text and current.text:
        drift = compare(baseline.text, current.text, policy)
        return observation.with_state(drift.state, **extra, **drift.evidence())
    same = baseline.body_sha256 is not None and baseline.body_sha256 == current.body_sha256
    return observation.with_state(
        SourceState.LIVE if same else SourceState.CHANGED, **extra, compared="body_sha256"
    )


@dataclass
class LivenessHook:
    """Classify each fetched source and record the check (runs in the storage thread)."""

    engine: Engine
    run_id: int
    policy: LivenessPolicy
    drift: DriftPolicy = field(default_factory=DriftPolicy)
    proxy: str | None = None
    observed: Counter[str] = field(default_factory=Counter)
    deferred: dict[str, list[tuple[SourceFetch, StoredSource]]] = field(default_factory=dict)
    # Whether any host answered in this run: until one has, a name that does not resolve
    # may be this machine's network being down, not the source's domain being gone.
    answered: bool = False

    def __call__(self, fetch: SourceFetch, stored: StoredSource) -> None:
        if any(exchange.status is not None for exchange in fetch.exchanges):
            self.answered = True
        adapter = adapter_for(fetch.url)
        if (
            adapter.platform is Platform.WEB
            and not fetch.by_role(Role.PROBE)
            and PROBES.pending(fetch.url)
        ):
            # Its host's soft-404 probe has not been answered yet: judge it once it has.
            self.deferred.setdefault(host_key(fetch.url), []).append((fetch, stored))
            return
        self._judge(adapter, fetch, stored)
        for probe in fetch.by_role(Role.PROBE):
            for waiting, waiting_stored in self.deferred.pop(host_key(probe.requested_url), []):
                self._judge(adapter_for(waiting.url), waiting, waiting_stored)

    def flush(self) -> None:
        """Judge the sources still waiting for a probe that never came."""
        while self.deferred:
            _host, waiting = self.deferred.popitem()
            for fetch, stored in waiting:
                self._judge(adapter_for(fetch.url), fetch, stored)

    def _judge(self, adapter: Adapter, fetch: SourceFetch, stored: StoredSource) -> None:
        observation = partial_content(fetch, adapter.observe(fetch))
        if (
            observation.state is SourceState.GONE
            and observation.evidence.get("network_failure") == NetworkFailure.DNS
            and not self.answered
        ):
            observation = observation.with_state(
                SourceState.UNREACHABLE,
                reason="host does not resolve, but no host has answered in this run yet",
            )
        if isinstance(adapter, YouTubeAdapter):
            metadata = ytdlp_metadata(fetch.url, self.proxy)
            if metadata is not None:
                observation = observation.with_state(observation.state, ytdlp=metadata)
        capture_id = evidence_capture(stored, observation)
        with Session(self.engine, expire_on_commit=False) as session:
            source = session.get(Source, fetch.source_id)
            if source is None:
                raise LookupError(f"source {fetch.source_id} vanished during the check")
            observation = apply_drift(session, source, observation, capture_id, self.drift)
            record_check(
                session,
                source,
                observation,
                policy=self.policy,
                run_id=self.run_id,
                capture_id=capture_id,
            )
            session.commit()
        self.observed[observation.state.value] += 1


@dataclass
class CheckSummary:
    run_id: int
    planned: int
    checked: int = 0
    observed: Counter[str] = field(default_factory=Counter)
    status: RunStatus = RunStatus.RUNNING
    failures: list[str] = field(default_factory=list)
    texts_finished: int = 0  # owed texts of earlier captures, finished from stored records


def sources_to_check(session: Session, source_ids: Sequence[int] | None) -> list[Source]:
    query = select(Source).order_by(col(Source.id))
    if source_ids is not None:
        query = query.where(col(Source.id).in_(list(source_ids)))
    return list(session.exec(query).all())


def run_check(
    settings: Settings,
    engine: Engine,
    options: CrawlOptions,
    *,
    chronicles: Sequence[str] = (),
    policy: LivenessPolicy | None = None,
    drift: DriftPolicy | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_source: Callable[[], None] | None = None,
    cookies: MozillaCookieJar | None = None,
) -> CheckSummary:
    """Re-check every source (of the chronicles, or all).

    ``cookies``: a loaded cookies.txt, sent to the hosts it covers (an authenticated check:
    Facebook's "content isn't available" then counts towards confirming a deletion)."""
    with Session(engine) as session:
        chosen = resolve_chronicles(session, chronicles)
    with prepared(settings, engine, RunKind.CHECK):
        with Session(engine) as session:
            ids = captures.sources_of_chronicles(session, chosen) if chosen else None
            sources = sources_to_check(session, ids)
            targets = [Target(s.id, s.url) for s in sources if s.id is not None]
            run = captures.start_run(session, RunKind.CHECK, software())
        assert run.id is not None
        summary = CheckSummary(run.id, len(targets))
        if on_planned is not None:
            on_planned(len(targets))
        hook = LivenessHook(
            engine,
            run.id,
            policy or LivenessPolicy.from_env(),
            drift or DriftPolicy(),
            proxy=options.proxy,
        )

        def progress(_stored: StoredSource) -> None:
            summary.checked += 1
            if on_source is not None:
                on_source()

        PROBES.start_run(enabled=True)
        try:
            ended = crawl_run(
                settings,
                engine,
                options,
                run.id,
                RunKind.CHECK,
                targets,
                hook=hook,
                on_progress=progress,
                counts=lambda: dict(hook.observed),
                cookies=cookies,
                after_crawl=hook.flush,
            )
        finally:
            PROBES.start_run(enabled=False)
        summary.status, summary.failures = ended.status, ended.failures
        summary.texts_finished = ended.texts_finished
        summary.observed = hook.observed
    return summary
