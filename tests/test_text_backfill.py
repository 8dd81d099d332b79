"""Texts a run left owed are finished by the next run from the stored response records.

A run that died after committing its captures but before their texts (simulated here by
clearing the texts in the database) is followed by a run that finds every ``text_pending``
capture, reads its payload back from the WARC, undoes the Content-Encoding, checks the body
against the capture's ``body_sha256``, extracts it and stores it with a new conversion record,
without fetching anything again. A body that does not match its hash is reported, not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from archive.reader import read_record, read_text
from provenance.models import Capture, CaptureRecord
from provenance.states import FetchOutcome
from scheduler.cli.common import EXIT_PROBLEMS
from tests.archive_support import (
    add_sources,
    archive_env,
    engine_of,
    run_archive,
    warc_files,
    warcio_check,
)
from tests.conftest import Home, run_subprocess
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb import catalogue as cat

PAGES = [cat.GZIP, cat.BROTLI, cat.GZIP_CHUNKED, cat.CHUNKED, cat.REDIRECT_CHAIN, cat.KOI8_R]
TEXT_COLUMNS = ("text", "text_sha256", "simhash", "title", "author", "published", "text_size")


@dataclass(frozen=True)
class TextState:
    columns: dict[str, Any]
    pending: bool
    conversions: list[CaptureRecord]


def _archive_dir(home: Home) -> Path:
    return home.path / "collections" / "sourcekeep" / "archive"


def _state(session: Session, capture: Capture) -> TextState:
    conversions = session.exec(
        select(CaptureRecord).where(
            CaptureRecord.capture_id == capture.id, CaptureRecord.record_type == "conversion"
        )
    ).all()
    return TextState(
        {name: getattr(capture, name) for name in TEXT_COLUMNS},
        capture.text_pending,
        list(conversions),
    )


def _texts(home: Home, outcome: FetchOutcome | None = None) -> dict[str, TextState]:
    """Per requested URL: the text columns, the pending flag and the conversion records of
    its capture (with ``outcome``; there is one per URL here)."""
    engine = engine_of(home.database_url)
    try:
        with Session(engine) as session:
            query = select(Capture).order_by(col(Capture.id))
            if outcome is not None:
                query = query.where(Capture.outcome == outcome)
            found = {}
            for capture in session.exec(query).all():
                assert capture.requested_url not in found, "one capture per URL expected"
                found[capture.requested_url] = _state(session, capture)
            return found
    finally:
        engine.dispose()


def _as_if_texts_were_lost(
    home: Home, urls: list[str] | None = None, outcome: FetchOutcome | None = None
) -> list[int]:
    """What a run killed before its texts committed leaves: the captures that had a text
    (of ``urls`` and with ``outcome``, or all) are pending again, without text columns or
    conversion rows."""
    engine = engine_of(home.database_url)
    try:
        with engine.begin() as conn:
            query = sa.select(Capture.id).where(col(Capture.text).is_not(None))
            if urls is not None:
                query = query.where(col(Capture.requested_url).in_(urls))
            if outcome is not None:
                query = query.where(Capture.outcome == outcome)
            ids = list(conn.execute(query).scalars())
            assert ids
            conn.execute(
                sa.delete(CaptureRecord).where(
                    col(CaptureRecord.capture_id).in_(ids),
                    CaptureRecord.record_type == "conversion",
                )
            )
            conn.execute(
                sa.update(Capture)
                .where(col(Capture.id).in_(ids))
                .values(text_pending=True, **{name: None for name in TEXT_COLUMNS})
            )
        return ids
    finally:
        engine.dispose()


def _first_run(home: Home, web: FixtureWeb) -> tuple[dict[str, str], dict[str, TextState]]:
    add_sources(home.database_url, home.path, PAGES)
    env = archive_env(home.env(), web.env())
    first = run_archive(env, "--json")
    assert first.code == 0, first.stderr
    assert first.json()["texts_finished"] == 0
    before = _texts(home)
    assert not any(s.pending for s in before.values())
    for url in (cat.GZIP, cat.BROTLI, cat.GZIP_CHUNKED):  # coded pages do have texts
        assert before[url].columns["text"] and len(before[url].conversions) == 1
    return env, before


def test_texts_a_dead_run_owed_are_finished_from_the_stored_records(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    env, before = _first_run(home, fresh_fixture_web)
    lost = _as_if_texts_were_lost(home)
    requests_before = len(fresh_fixture_web.requests_for())

    again = run_archive(env, "--json")
    assert again.code == 0, again.stderr
    summary = again.json()
    assert summary["status"] == "finished"
    assert summary["texts_finished"] == len(lost)
    assert summary["planned"] == summary["fetched"] == 0  # nothing fetched again
    assert len(fresh_fixture_web.requests_for()) == requests_before

    after = _texts(home)
    assert after.keys() == before.keys()  # no new capture
    archive_dir = _archive_dir(home)
    engine = engine_of(home.database_url)
    for url, old in before.items():
        new = after[url]
        assert not new.pending, url
        assert new.columns == old.columns, url  # the same text, fingerprints and metadata
        assert len(new.conversions) == len(old.conversions), url
        if not new.conversions:
            continue
        conversion = new.conversions[0]
        assert conversion.record_id != old.conversions[0].record_id  # written again
        path = archive_dir / conversion.warc_filename
        assert read_text(path, conversion.offset, conversion.length) == new.columns["text"]
        stored = read_record(path, conversion.offset, conversion.length)
        with Session(engine) as session:
            response = session.exec(
                select(CaptureRecord).where(
                    CaptureRecord.capture_id == conversion.capture_id,
                    CaptureRecord.record_type == "response",
                )
                .order_by(col(CaptureRecord.id).desc())
                .limit(1)
            ).one()
        assert stored.warc_header("WARC-Refers-To") == response.record_id
        assert stored.warc_header("WARC-Target-URI") == response.target_uri
    engine.dispose()
    check = warcio_check(warc_files(home.path))
    assert check.returncode == 0, check.stdout + check.stderr

    third = run_archive(env, "--json")  # nothing owed any more
    assert third.code == 0, third.stderr
    assert third.json()["texts_finished"] == 0


def test_a_stored_body_that_does_not_match_its_hash_is_reported_and_stays_owed(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    env, before = _first_run(home, fresh_fixture_web)
    lost = _as_if_texts_were_lost(home, [cat.GZIP, cat.BROTLI])
    engine = engine_of(home.database_url)
    with engine.begin() as conn:
        tampered = conn.execute(
            sa.update(Capture)
            .where(Capture.requested_url == cat.GZIP)
            .values(body_sha256="0" * 64)
            .returning(Capture.id)
        ).scalar_one()
    engine.dispose()

    again = run_archive(env, "--json")
    assert again.code == EXIT_PROBLEMS, again.stderr
    assert "Traceback" not in again.stderr
    summary = again.json()
    assert summary["status"] == "failed"
    assert summary["texts_finished"] == len(lost) - 1
    mismatch = [line for line in again.stderr.splitlines() if "integrity check failed" in line]
    assert len(mismatch) == 1, again.stderr
    assert f"capture {tampered} " in mismatch[0] and cat.GZIP in mismatch[0]
    assert "0" * 64 in mismatch[0]

    after = _texts(home)
    assert after[cat.GZIP].pending  # stays owed: the next run reports it again
    assert after[cat.GZIP].conversions == [] and after[cat.GZIP].columns["text"] is None
    for url, old in before.items():  # nothing else is lost
        if url != cat.GZIP:
            assert not after[url].pending, url
            assert after[url].columns == old.columns, url
            assert len(after[url].conversions) == len(old.conversions), url
    assert warcio_check(warc_files(home.path)).returncode == 0

    third = run_archive(env, "--json")
    assert third.code == EXIT_PROBLEMS
    assert sum("integrity check failed" in line for line in third.stderr.splitlines()) == 1
    assert _texts(home)[cat.GZIP].pending


def test_a_revisit_gets_its_text_from_the_response_it_refers_to(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    """A check fetches again: unchanged pages become revisits, whose payload is the earlier
    response's. Their texts, lost, come back from that response (as a live text of a
    revisit, without a conversion record of their own)."""
    add_sources(home.database_url, home.path, [cat.GZIP, cat.BROTLI])
    env = archive_env(home.env(), fresh_fixture_web.env())
    assert run_archive(env, "--json").code == 0
    checked = run_subprocess("check", "--json", env=env, timeout=240)
    assert checked.code == 0, checked.stderr

    before = _texts(home, FetchOutcome.REVISIT)
    assert set(before) == {cat.GZIP, cat.BROTLI}
    assert all(s.columns["text"] and not s.conversions for s in before.values())
    lost = _as_if_texts_were_lost(home, outcome=FetchOutcome.REVISIT)
    assert len(lost) == 2

    again = run_archive(env, "--json")
    assert again.code == 0, again.stderr
    assert again.json()["texts_finished"] == 2
    assert _texts(home, FetchOutcome.REVISIT) == before
