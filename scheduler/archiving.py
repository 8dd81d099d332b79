"""One archive run: lock, repair, pick the sources, crawl, and account for it.

Order matters for crash safety: holding the run lock, runs left ``running`` by a dead
process are marked ``interrupted``; WARC files a crash left open are repaired (torn tails cut,
never a byte a committed row points at) and closed; then a new run starts writing new files.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookiejar import MozillaCookieJar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive.recovery import Repair
from crawler.pipeline import SourceHook
from crawler.results import Role
from crawler.settings import CrawlOptions, software
from crawler.spider import Target
from crawler.store import StoredSource
from provenance import captures
from provenance.config import Settings
from provenance.lookup import find_chronicle
from provenance.models import Chronicle
from provenance.states import FetchOutcome, RunKind, RunStatus
from scheduler.runs import crawl_run, prepared

log = logging.getLogger(__name__)


class ArchiveInputError(ValueError):
    """A chronicle that is not stored, or another problem with what was asked."""


@dataclass
class ArchiveSummary:
    run_id: int
    planned: int
    fetched: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    status: RunStatus = RunStatus.RUNNING
    repairs: list[Repair] = field(default_factory=list)
    interrupted_runs: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    texts_finished: int = 0  # owed texts of earlier captures, finished from stored records
    cut_at_size_cap: int = 0  # sources not fetched again: cut at the current size cap before

    def as_json(self) -> dict[str, object]:
        return {
            "run": self.run_id,
            "fetched": self.fetched,
            "outcomes": dict(sorted(self.outcomes.items())),
            "status": str(self.status),
            "planned": self.planned,
            "repaired_files": [r.filename for r in self.repairs if r.cut],
            "texts_finished": self.texts_finished,
            "cut_at_size_cap": self.cut_at_size_cap,
        }


def resolve_chronicles(session: Session, refs: Sequence[str]) -> list[Chronicle]:
    chronicles = []
    for ref in refs:
        chronicle = find_chronicle(session, ref)
        if chronicle is None:
            raise ArchiveInputError(f"no chronicle {ref!r} (give its id or slug)")
        chronicles.append(chronicle)
    return chronicles


def page_outcome(stored: StoredSource) -> FetchOutcome:
    """The outcome that counts for a source: that of its cited page."""
    for result in stored.item.results:
        if result.role is Role.PAGE:
            return result.exchange.outcome
    return FetchOutcome.NETWORK_ERROR


def run_archive(
    settings: Settings,
    engine: Engine,
    options: CrawlOptions,
    *,
    chronicles: Sequence[str] = (),
    limit: int | None = None,
    hook: SourceHook | None = None,
    on_planned: Callable[[int], None] | None = None,
    on_source: Callable[[FetchOutcome], None] | None = None,
    cookies: MozillaCookieJar | None = None,
) -> ArchiveSummary:
    """Archive every source (of the chronicles, or all) that has no good capture yet, but
    those already cut at the size cap (``options.max_size``): raise the cap to fetch them
    whole.

    ``cookies``: a loaded cookies.txt, its cookies sent to the hosts they cover; the Cookie
    header is redacted in the WARC request records and the captures say a session was used.
    """
    with Session(engine) as session:
        chosen = resolve_chronicles(session, chronicles)
    with prepared(settings, engine, RunKind.ARCHIVE) as ready:
        with Session(engine) as session:
            ids = captures.sources_of_chronicles(session, chosen) if chosen else None
            todo = captures.sources_without_good_capture(session, ids)
            # cut at the size cap before: another fetch under the same cap stores the same
            # cut bytes (check runs still fetch them, to judge whether they are live)
            cut = captures.sources_cut_at(
                session, options.max_size, [s.id for s in todo if s.id is not None]
            )
            sources = [s for s in todo if s.id not in cut][:limit]
            targets = [Target(s.id, s.url) for s in sources if s.id is not None]
            run = captures.start_run(session, RunKind.ARCHIVE, software())
        assert run.id is not None
        summary = ArchiveSummary(run.id, len(targets), repairs=ready.repairs)
        summary.cut_at_size_cap = len(cut)
        summary.interrupted_runs = ready.interrupted_runs
        if on_planned is not None:
            on_planned(len(targets))

        def progress(stored: StoredSource) -> None:
            outcome = page_outcome(stored)
            summary.fetched += 1
            summary.outcomes[str(outcome)] += 1
            if on_source is not None:
                on_source(outcome)

        try:
            ended = crawl_run(
                settings,
                engine,
                options,
                run.id,
                RunKind.ARCHIVE,
                targets,
                hook=hook,
                on_progress=progress,
                counts=lambda: dict(summary.outcomes),
                cookies=cookies,
            )
        except BaseException:
            summary.status = RunStatus.FAILED
            raise
        summary.status, summary.failures = ended.status, ended.failures
        summary.texts_finished = ended.texts_finished
    return summary
