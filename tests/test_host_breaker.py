"""A host that refuses every connection is given up on after a few tries in a run."""

from __future__ import annotations

import socket

from sqlmodel import Session, select

from provenance.models import Capture
from tests.archive_support import TEST_ENV, add_sources, engine_of, run_archive
from tests.conftest import Home


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket goes


def test_a_host_refusing_connections_is_not_asked_again_and_again(home: Home) -> None:
    port = _closed_port()
    urls = [f"http://127.0.0.1:{port}/news/{i}.html" for i in range(12)]
    add_sources(home.database_url, home.path, urls)
    env = {**home.env(), **TEST_ENV, "SOURCEKEEP_ALLOW_PRIVATE": "1", "SOURCEKEEP_CONCURRENCY": "1"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    result = run_archive(env, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["outcomes"] == {"network_error": 12}

    engine = engine_of(home.database_url)
    with Session(engine) as session:
        errors = [c.error or "" for c in session.exec(select(Capture)).all()]
    engine.dispose()
    assert len(errors) == 12
    skipped = [e for e in errors if e.startswith("not sent:")]
    tried = [e for e in errors if not e.startswith("not sent:")]
    assert len(tried) >= 1 and len(skipped) >= 8, errors
    assert all("connection_refused" in e for e in skipped)
