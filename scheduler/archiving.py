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
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive.recovery import Repair, recover
from archive.text import is_html
from archive.warc import WarcStore
from crawler.pipeline import Sink, SourceHook
from crawler.results import Role
from crawler.run import crawl
from crawler.settings import CrawlOptions, software
from crawler.spider import Target
from crawler.store import CaptureStore, StoredSource
from provenance import captures
from provenance.config import Settings
from provenance.ingest import find_chronicle
from provenance.models import Chronicle
from provenance.states import FetchOutcome, RunKind, RunStatus
from scheduler.locks import run_lock

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

    def as_json(self) -> dict[str, object]:
        return {
            "run": self.run_id,
            "fetched": self.fetched,
            "outcomes": dict(sorted(self.outcomes.items())),
            "status": str(self.status),
            "planned": self.planned,
            "repaired_files": [r.filename for r in self.repairs if r.cut],
        }


def resolve_chronicles(session: Session, refs: Sequence[str]) -> list[Chronicle]:
    chronicles = []
    for ref in refs:
        chronicle = find_chronicle(session, ref)
        if chronicle is None:
            raise ArchiveInputError(f"no chronicle {ref!r} (give its id or slug)")
        chronicles.append(chronicle)
    return chronicles


def wants_text(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "text/plain" or is_html(content_type, body)


def page_outcome(stored: StoredSource) -> FetchOutcome:
    """The outcome that counts for a source: that of its cited page."""
    for result in stored.item.results:
        if result.role is Role.PAGE:
            return result.exchange.outcome
    return FetchOutcome.NETWORK_ERROR


def repair_files(settings: Settings, engine: Engine) -> list[Repair]:
    """Cut torn tails of WARC files a crash left open, keeping every committed record."""
    with Session(engine) as session:
        extents = captures.committed_extents(session)
    repairs = recover(
        settings.warc_dir,
        settings.index_dir,
        committed=[(name, 0, end) for name, end in extents.items()],
    )
    with Session(engine) as session:
        for repair in repairs:
            if repair.new_size == 0:  # nothing complete was in it: recovery removed the file
                captures.forget_warc_file(session, repair.filename)
                continue
            captures.note_warc_file(
                session, repair.filename, size=repair.new_size, sha256=repair.sha256, closed=True
            )
    return repairs


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
    """Archive every source (of the chronicles, or all) that has no good capture yet.

    ``cookies``: a loaded cookies.txt, its cookies sent to the hosts they cover; the Cookie
    header is redacted in the WARC request records and the captures say a session was used.
    """
    with Session(engine) as session:
        chosen = resolve_chronicles(session, chronicles)
    with run_lock(settings.home):
        with Session(engine) as session:
            interrupted = captures.interrupt_stale_runs(session, RunKind.ARCHIVE)
        repairs = repair_files(settings, engine)
        settings.warc_dir.mkdir(parents=True, exist_ok=True)
        with Session(engine) as session:
            ids = captures.sources_of_chronicles(session, chosen) if chosen else None
            sources = captures.sources_without_good_capture(session, ids, limit)
            targets = [Target(s.id, s.url) for s in sources if s.id is not None]
            run = captures.start_run(session, RunKind.ARCHIVE, software())
        assert run.id is not None
        summary = ArchiveSummary(run.id, len(targets), repairs=repairs)
        summary.interrupted_runs = interrupted
        if on_planned is not None:
            on_planned(len(targets))

        def progress(stored: StoredSource) -> None:
            outcome = page_outcome(stored)
            summary.fetched += 1
            summary.outcomes[str(outcome)] += 1
            if on_source is not None:
                on_source(outcome)

        warcs = WarcStore(
            settings.warc_dir, index_dir=settings.index_dir, software=software()
        )
        store = CaptureStore(engine, warcs, run.id, software(), wants_text)
        sink = Sink(store, hook=hook, extract_workers=options.extract_workers,
                    on_progress=progress)
        status = RunStatus.FAILED
        try:
            reason = crawl(
                targets,
                options,
                sink,
                log_file=_log_file(settings.home, run.id),
                session=cookies,
            )
            if sink.failures:
                summary.failures = [f"{type(e).__name__}: {e}" for e in sink.failures]
            elif reason == "finished":
                status = RunStatus.FINISHED
            else:
                status = RunStatus.INTERRUPTED
        finally:
            summary.status = status
            with Session(engine) as session:
                captures.finish_run(session, run.id, status, dict(summary.outcomes))
    return summary


def _log_file(home: Path, run_id: int) -> Path:
    return home / "logs" / f"archive-{run_id:06d}.log"
