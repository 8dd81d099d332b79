"""``kill -9`` in the middle of ``sourcekeep archive``, then run it again: every WARC passes
``warcio check``, no row points at missing bytes, the run completes, nothing is captured twice,
and every text the killed run owed is finished from the stored records."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from archive.reader import read_record
from provenance.models import Capture, CaptureRecord, Run
from provenance.states import FetchOutcome, RunStatus
from tests.archive_support import (
    add_sources,
    archive_env,
    engine_of,
    run_archive,
    warc_files,
    warcio_check,
)
from tests.conftest import Home
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb.sites import SITES

HOSTS = sorted(SITES)[:10]
ARTICLES = [f"https://{HOSTS[i % 10]}/news/crash-safety-{i}.html" for i in range(60)]


def _captures(database_url: str) -> int:
    engine = engine_of(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM capture")).scalar_one()
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def _pending_texts(database_url: str) -> int:
    engine = engine_of(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(Capture).where(Capture.text_pending)
            ).scalar_one()
    finally:
        engine.dispose()


def _kill_mid_run(env: dict[str, str], database_url: str) -> None:
    exe = Path(sys.executable).parent / "sourcekeep"
    proc = subprocess.Popen(
        [str(exe), "archive", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the extraction workers die with it
    )
    try:
        deadline = time.monotonic() + 120
        while _captures(database_url) < 8:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run stored nothing in time"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.slow
def test_kill_dash_nine_mid_run_then_run_again(home: Home, fresh_fixture_web: FixtureWeb) -> None:
    ids = add_sources(home.database_url, home.path, ARTICLES)
    env = archive_env(home.env(), fresh_fixture_web.env(), SOURCEKEEP_CONCURRENCY="2")
    _kill_mid_run(env, home.database_url)

    files = warc_files(home.path)
    open_files = [p for p in files if not p.with_name(p.name + ".sha256").exists()]
    assert len(open_files) == 1, files
    # whatever the kill left, add a torn record at the end: half a gzip member
    torn = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 9999\r\n\r\n" * 20)
    with open(open_files[0], "ab") as fh:
        fh.write(torn[: len(torn) // 2])
    torn_size = open_files[0].stat().st_size
    owed = _pending_texts(home.database_url)  # captures committed, texts not yet

    again = run_archive(env, "--json")
    assert again.code == 0, again.stderr
    summary = again.json()
    assert summary["status"] == "finished"
    assert summary["texts_finished"] == owed
    assert open_files[0].name in summary["repaired_files"]
    assert open_files[0].stat().st_size < torn_size

    files = warc_files(home.path)
    check = warcio_check(files)
    assert check.returncode == 0, check.stdout + check.stderr
    assert all(p.with_name(p.name + ".sha256").exists() for p in files)

    engine = engine_of(home.database_url)
    with Session(engine) as session:
        records = session.exec(select(CaptureRecord)).all()
        captures = session.exec(select(Capture)).all()
        runs = session.exec(select(Run).order_by(Run.id)).all()
    engine.dispose()
    archive_dir = home.path / "collections" / "sourcekeep" / "archive"
    for rec in records:  # no row points at missing bytes
        path = archive_dir / rec.warc_filename
        assert rec.offset + rec.length <= path.stat().st_size
        assert read_record(path, rec.offset, rec.length).record_type == rec.record_type
    good: dict[int, int] = {}
    for capture in captures:
        if capture.outcome is FetchOutcome.CAPTURED:
            good[capture.source_id] = good.get(capture.source_id, 0) + 1
    assert good == {sid: 1 for sid in ids.values()}  # every source once, none twice
    # no text is owed any more: every page has its text, each with one conversion record
    assert not [c.id for c in captures if c.text_pending]
    conversions: dict[int, int] = {}
    for rec in records:
        if rec.record_type == "conversion":
            conversions[rec.capture_id] = conversions.get(rec.capture_id, 0) + 1
    for capture in captures:
        if (capture.content_type or "").startswith("text/html"):
            assert capture.text_sha256 is not None, capture.requested_url
        if capture.text:
            assert conversions.get(capture.id) == 1, capture.requested_url
    assert [r.status for r in runs] == [RunStatus.INTERRUPTED, RunStatus.FINISHED]
    assert summary["fetched"] == len(ARTICLES) - sum(
        1 for c in captures if c.run_id == runs[0].id and c.outcome is FetchOutcome.CAPTURED
    )


def test_a_file_torn_inside_its_first_record_is_removed_and_forgotten(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    """A crash right after a new WARC was opened leaves a file with no complete record:
    recovery removes it, and the database keeps no row naming a file that is not there."""
    from provenance import captures
    from provenance.models import WarcFile

    add_sources(home.database_url, home.path, ARTICLES[:2])
    warc_dir = home.path / "collections" / "sourcekeep" / "archive"
    warc_dir.mkdir(parents=True)
    torn = warc_dir / "sourcekeep-20240514093012000-00000-crashhost.warc.gz"
    torn.write_bytes(gzip.compress(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n" + b"x" * 500)[:40])
    engine = engine_of(home.database_url)
    with Session(engine) as session:
        captures.note_warc_file(session, torn.name)

    result = run_archive(archive_env(home.env(), fresh_fixture_web.env()), "--json")
    assert result.code == 0, result.stderr
    assert not torn.exists()
    with Session(engine) as session:
        names = set(session.exec(select(WarcFile.filename)).all())
        record_files = set(session.exec(select(CaptureRecord.warc_filename)).all())
    engine.dispose()
    assert torn.name not in names
    assert names and all((warc_dir / name).is_file() for name in names)
    assert record_files <= names
    assert warcio_check(warc_files(home.path)).returncode == 0
