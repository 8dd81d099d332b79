"""Helpers for the archive tests: sources for fixture-web URLs, running ``sourcekeep archive``
in a child process against the fixture web, and reading back what it stored."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from provenance.db import create_db_engine, upgrade
from provenance.models import Capture, CaptureRecord, Source
from provenance.urls import host_of, normalize_url, platform_of
from tests.conftest import Result, run_subprocess

REPO = Path(__file__).resolve().parent.parent
# warcio of the validators' virtualenv: the same warcio release as the project's, without the
# ``brotli`` module (warcio 1.8.1 expects brotlipy's Decompressor and crashes on Google's
# brotli 1.2 when it reads a ``Content-Encoding: br`` record; the digests it checks are the same)
VALIDATOR_WARCIO = REPO / ".validators" / "pywb" / "bin" / "warcio"

# fast, impolite settings for the fixture web (all on loopback)
TEST_ENV = {
    "SOURCEKEEP_POLITE": "0",
    "SOURCEKEEP_CONCURRENCY": "16",
    "SOURCEKEEP_TIMEOUT": "3",
    "SOURCEKEEP_RETRIES": "1",
    "SOURCEKEEP_RETRY_BACKOFF": "0.2",
    "SOURCEKEEP_MAX_SIZE": "1000000",
    "SOURCEKEEP_EXTRACT_WORKERS": "1",
}


def add_sources(database_url: str, home: Path, urls: Sequence[str]) -> dict[str, int]:
    """Insert a source per URL (as ingest would); returns url -> source id."""
    home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(database_url)
    upgrade(engine)
    ids: dict[str, int] = {}
    with Session(engine) as session:
        for url in urls:
            source = Source(
                url=url,
                normalized_url=normalize_url(url),
                platform=platform_of(url),
                host=host_of(url),
            )
            session.add(source)
            session.flush()
            assert source.id is not None
            ids[url] = source.id
        session.commit()
    engine.dispose()
    return ids


def archive_env(home_env: dict[str, str], web_env: dict[str, str], **extra: str) -> dict[str, str]:
    env = dict(home_env)
    env.update(web_env)
    env.update(TEST_ENV)
    env.update(extra)
    return env


def run_archive(env: dict[str, str], *args: str, timeout: float = 240) -> Result:
    return run_subprocess("archive", *args, env=env, timeout=timeout)


def engine_of(database_url: str) -> sa.engine.Engine:
    return create_db_engine(database_url)


def captures_by_url(session: Session) -> dict[str, list[Capture]]:
    out: dict[str, list[Capture]] = {}
    for capture in session.exec(select(Capture).order_by(Capture.id)).all():
        out.setdefault(capture.requested_url, []).append(capture)
    return out


def records_of(session: Session, capture_id: int) -> list[CaptureRecord]:
    return list(
        session.exec(
            select(CaptureRecord)
            .where(CaptureRecord.capture_id == capture_id)
            .order_by(CaptureRecord.warc_filename, CaptureRecord.offset)
        ).all()
    )


def warc_files(home: Path) -> list[Path]:
    return sorted((home / "collections" / "sourcekeep" / "archive").glob("*.warc.gz"))


def warcio_check(paths: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    tool = VALIDATOR_WARCIO if VALIDATOR_WARCIO.exists() else REPO / ".venv" / "bin" / "warcio"
    return subprocess.run(
        [str(tool), "check", "-v", *map(str, paths)],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
    )
