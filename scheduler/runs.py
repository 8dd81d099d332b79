"""What archive and check runs share: the run lock, crash repair, the crawl and its account.

A run (1) takes the lock of the data home, marks runs a crash left open as interrupted and
cuts torn WARC tails, (2) finishes the texts earlier runs left owed (``scheduler.texts``),
(3) crawls its targets into the collection, and (4) records how it ended. Only what is
picked and what is done with each fetched source differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import MozillaCookieJar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from archive.recovery import Repair, recover
from archive.text import is_html
from archive.warc import WarcStore
from crawler.pipeline import Sink, SourceHook
from crawler.run import crawl
from crawler.settings import CrawlOptions, software
from crawler.spider import Target
from crawler.store import CaptureStore, StoredSource
from provenance import captures
from provenance.config import Settings
from provenance.states import RunKind, RunStatus
from scheduler.locks import run_lock
from scheduler.texts import finish_texts


@dataclass
class Prepared:
    """What getting the data home ready for a run found."""

    interrupted_runs: list[int] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


@dataclass
class Ended:
    status: RunStatus
    failures: list[str] = field(default_factory=list)
    texts_finished: int = 0  # owed texts of earlier captures finished from stored records


def wants_text(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "text/plain" or is_html(content_type, body)


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


@contextmanager
def prepared(settings: Settings, engine: Engine, kind: RunKind) -> Iterator[Prepared]:
    """Hold the run lock; inside it, close what a crash left open before anything new."""
    with run_lock(settings.home):
        with Session(engine) as session:
            interrupted = captures.interrupt_stale_runs(session, kind)
        repairs = repair_files(settings, engine)
        settings.warc_dir.mkdir(parents=True, exist_ok=True)
        yield Prepared(interrupted_runs=list(interrupted or []), repairs=repairs)


def crawl_run(
    settings: Settings,
    engine: Engine,
    options: CrawlOptions,
    run_id: int,
    kind: RunKind,
    targets: Sequence[Target],
    *,
    hook: SourceHook | None,
    on_progress: Callable[[StoredSource], None],
    counts: Callable[[], dict[str, int]],
    cookies: MozillaCookieJar | None = None,
    after_crawl: Callable[[], None] | None = None,
) -> Ended:
    """Finish the texts earlier runs left owed, crawl the targets into the collection and
    record how the run ended (even on error). A text that could not be finished fails the
    run with one line, like a source that could not be stored; the crawl still runs."""
    warcs = WarcStore(settings.warc_dir, index_dir=settings.index_dir, software=software())
    store = CaptureStore(engine, warcs, run_id, software(), wants_text)
    sink = Sink(store, hook=hook, extract_workers=options.extract_workers, on_progress=on_progress)
    ended = Ended(RunStatus.FAILED)
    log_file = settings.home / "logs" / f"{kind.value}-{run_id:06d}.log"
    try:
        owed = finish_texts(engine, settings.warc_dir, store)
        ended.texts_finished = owed.finished
        reason = crawl(list(targets), options, sink, log_file=log_file, session=cookies)
        if after_crawl is not None:
            after_crawl()
        if owed.problems or sink.failures:
            ended.failures = _distinct(
                [*owed.problems, *(f"{type(e).__name__}: {e}" for e in sink.failures)]
            )
        elif reason == "finished":
            ended.status = RunStatus.FINISHED
        else:
            ended.status = RunStatus.INTERRUPTED
    finally:
        with Session(engine) as session:
            captures.finish_run(session, run_id, ended.status, counts())
    return ended


def _distinct(messages: Iterable[str]) -> list[str]:
    """Each message once, in first-seen order, with how often it occurred when more than
    once (a broken extraction pool fails every page of the run with the same error)."""
    counts = Counter(messages)
    return [m if n == 1 else f"{m} ({n} times)" for m, n in counts.items()]
