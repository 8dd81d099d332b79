"""Authenticated capture with a Netscape cookies.txt, end to end through the fixture web.

The fixture web serves a Facebook post only to requests carrying the ``c_user`` and ``xs``
cookies (anonymous visitors get the login wall). What goes on the wire is exactly the jar's
cookies, only to the hosts it covers; the archive and the database never hold their values.
"""

from __future__ import annotations

import gzip
import shutil
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from archive.reader import read_record
from crawler.heads import REDACTED
from provenance.models import Capture, Source, SourceCheck
from provenance.states import FetchOutcome, SourceState
from tests.archive_support import (
    add_sources,
    archive_env,
    engine_of,
    records_of,
    warc_files,
    warcio_check,
)
from tests.conftest import Home, Result, run_subprocess
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb import catalogue as cat

USER = "100009876543210"
SECRET = "sksecret" + uuid.uuid4().hex  # the xs session token: must never be stored
AUTH_POST = cat.FB_GROUP_POST
MOBILE_POST = cat.FB_MOBILE_POST
UNAVAILABLE = cat.FB_UNAVAILABLE
OTHER_HOST = cat.TG_TEXT_POST  # a host the jar does not cover
URLS = [AUTH_POST, MOBILE_POST, UNAVAILABLE, OTHER_HOST]
CHECK_ENV = {"SOURCEKEEP_GONE_CHECKS": "1", "SOURCEKEEP_GONE_INTERVAL": "0s"}


def cookies_txt(expires: int | None = None) -> str:
    """A browser export: the session cookies of .facebook.com (xs is HttpOnly), one of
    another site."""
    when = expires or int(time.time()) + 30 * 86400
    return (
        "# Netscape HTTP Cookie File\n"
        "# https://curl.se/docs/http-cookies.html\n\n"
        f".facebook.com\tTRUE\t/\tTRUE\t{when}\tc_user\t{USER}\n"
        f"#HttpOnly_.facebook.com\tTRUE\t/\tTRUE\t{when}\txs\t{SECRET}\n"
        f".example.org\tTRUE\t/\tFALSE\t{when}\tother\tnot-for-facebook\n"
    )


def _env(home: Home, web: FixtureWeb, **extra: str) -> dict[str, str]:
    env = archive_env(home.env(), web.env(), **extra)
    env.pop("SOURCEKEEP_COOKIES", None)
    return env


def _run(command: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run_subprocess(command, *args, "--json", env=env, timeout=240)
    assert result.code == 0, result.stderr[-3000:]
    return result.json()


def _stored_bytes(home: Path) -> bytes:
    """Every byte under the data home, WARC files decompressed (records are gzip members)."""
    out = bytearray()
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out += gzip.decompress(data) if path.name.endswith(".gz") else data
    return bytes(out)


def _database_text(database_url: str) -> str:
    """Every row of every table, as text."""
    engine = engine_of(database_url)
    parts: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            parts.extend(repr(tuple(row)) for row in conn.execute(sa.select(table)))
    engine.dispose()
    return "\n".join(parts)


def _last_check(session: Session, source_id: int) -> SourceCheck:
    return session.exec(
        select(SourceCheck).where(SourceCheck.source_id == source_id).order_by(SourceCheck.id)
    ).all()[-1]


@pytest.mark.slow
def test_session_cookies_capture_the_post_and_never_reach_the_archive(
    home: Home, fresh_fixture_web: FixtureWeb, tmp_path: Path
) -> None:
    web = fresh_fixture_web
    jar = tmp_path / "cookies.txt"
    jar.write_text(cookies_txt())
    ids = add_sources(home.database_url, home.path, URLS)

    # 1. archive --cookies FILE
    _run("archive", _env(home, web), "--cookies", str(jar))
    for url in (AUTH_POST, MOBILE_POST):
        (request,) = web.requests_for(url)
        # exactly the jar's cookies for the host: no "other", nothing merged in by Scrapy
        assert request.header_all("Cookie") == [f"c_user={USER}; xs={SECRET}"]
    assert web.requests_for(OTHER_HOST) and all(
        r.header("Cookie") is None for r in web.requests_for(OTHER_HOST)
    )
    (sent,) = web.responses_for(AUTH_POST)
    assert b'role="article"' in sent.payload and b"login_form" not in sent.payload

    engine = engine_of(home.database_url)
    warc_dir = home.path / "collections" / "sourcekeep" / "archive"
    with Session(engine) as session:
        captures = {c.requested_url: c for c in session.exec(select(Capture)).all()}
        post = captures[AUTH_POST]
        assert post.outcome is FetchOutcome.CAPTURED and post.session_used
        assert post.payload_sha256 == sent.payload_sha256
        assert captures[MOBILE_POST].session_used
        assert not captures[OTHER_HOST].session_used
        records = {r.record_type: r for r in records_of(session, post.id)}
        request_record = records["request"]
        stored = read_record(
            warc_dir / request_record.warc_filename, request_record.offset, request_record.length
        )
        assert stored.payload == b""
        assert [v for k, v in stored.http_headers if k.lower() == "cookie"] == [REDACTED]
        metadata = records["metadata"]
        fields = read_record(warc_dir / metadata.warc_filename, metadata.offset, metadata.length)
        assert b"session: true\r\n" in fields.payload
    check = warcio_check(warc_files(home.path))
    assert check.returncode == 0, check.stdout + check.stderr

    # 2. check, with the session taken from cookies.txt in the data home
    shutil.copy(jar, home.path / "cookies.txt")
    web.recorder.clear()
    _run("check", _env(home, web, **CHECK_ENV))
    assert web.requests_for(AUTH_POST)[0].cookies == {"c_user": USER, "xs": SECRET}
    with Session(engine) as session:
        seen = _last_check(session, ids[AUTH_POST])
        assert seen.observed is SourceState.LIVE and seen.evidence["session_used"] is True
        assert session.get(Source, ids[AUTH_POST]).state is SourceState.LIVE
        # "content isn't available" to a logged-in visitor is conclusive (one check confirms
        # here: SOURCEKEEP_GONE_CHECKS=1)
        gone = _last_check(session, ids[UNAVAILABLE])
        assert gone.observed is SourceState.GONE and gone.evidence["conclusive"] is True
        assert session.get(Source, ids[UNAVAILABLE]).state is SourceState.GONE

    # 3. check without a session: the same post is behind the login wall
    (home.path / "cookies.txt").unlink()
    web.recorder.clear()
    _run("check", _env(home, web, **CHECK_ENV))
    assert all(r.header("Cookie") is None for r in web.requests_for(AUTH_POST))
    with Session(engine) as session:
        walled = _last_check(session, ids[AUTH_POST])
        assert walled.observed is SourceState.WALLED
        assert walled.evidence["session_used"] is False
        assert session.get(Source, ids[AUTH_POST]).state is SourceState.WALLED
        latest = session.exec(
            select(Capture).where(Capture.requested_url == AUTH_POST).order_by(Capture.id)
        ).all()[-1]
        assert not latest.session_used
    engine.dispose()

    # the session's values are nowhere: not in WARC files, indexes, logs or database rows
    stored_bytes = _stored_bytes(home.path)
    assert b'role="article"' in stored_bytes  # the scan does read the captured pages
    for value in (SECRET, USER):
        assert value.encode() not in stored_bytes
        assert value not in _database_text(home.database_url)


def _nothing_written(home: Home) -> bool:
    if home.backend == "sqlite":
        return not (home.path / "sourcekeep.db").exists()
    engine = engine_of(home.database_url)
    try:
        return sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def _one_line_error(result: Result, needle: str) -> None:
    assert result.code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_cookies_file_is_a_one_line_error_and_writes_nothing(
    home: Home, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    monkeypatch.delenv("SOURCEKEEP_COOKIES", raising=False)
    malformed = tmp_path / "malformed.txt"
    malformed.write_text("c_user=1; xs=2\n")
    broken = tmp_path / "broken.txt"
    broken.write_text(f"# Netscape HTTP Cookie File\n.facebook.com TRUE / TRUE 0 xs {SECRET}\n")
    expired = tmp_path / "expired.txt"
    expired.write_text(cookies_txt(expires=int(time.time()) - 86400))
    cases = [
        (tmp_path / "missing.txt", "cookies file not found"),
        (malformed, "not a Netscape cookies.txt"),
        (broken, "not a Netscape cookies.txt"),
        (expired, "no unexpired cookies"),
    ]
    for command in ("archive", "check"):
        for path, needle in cases:
            with warnings.catch_warnings():
                # http.cookiejar warns with a traceback about malformed lines: not on screen
                warnings.simplefilter("error", UserWarning)
                result = cli(command, "--cookies", str(path))
            _one_line_error(result, needle)
            assert SECRET not in result.stderr  # a malformed line is not echoed
    monkeypatch.setenv("SOURCEKEEP_COOKIES", str(tmp_path / "from-env.txt"))
    _one_line_error(cli("archive"), "from-env.txt")
    _one_line_error(cli("check"), "from-env.txt")
    assert _nothing_written(home)
