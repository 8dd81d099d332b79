"""Shared fixtures: a fresh data home on each database backend, and the real command line."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

pytest_plugins = ["tests.fixtureweb.plugin"]

REPO = Path(__file__).resolve().parent.parent
CHRONICLES = REPO.parent / "shared" / "chronicles"
MAY_2024 = CHRONICLES / "2024-05-kazakhstan-political-persecution.txt"
NOV_2023 = CHRONICLES / "2023-11-kazakhstan-political-persecution.txt"

POSTGRES_ADMIN_URL = os.environ.get(
    "SOURCEKEEP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b for b in os.environ.get("SOURCEKEEP_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]


@dataclass
class Home:
    path: Path
    database_url: str
    backend: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["SOURCEKEEP_HOME"] = str(self.path)
        env["SOURCEKEEP_DATABASE_URL"] = self.database_url
        return env


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@contextlib.contextmanager
def database_home(path: Path, backend: str) -> Iterator[Home]:
    """A data home on the backend; on PostgreSQL a schema of its own, dropped afterwards."""
    if backend == "sqlite":
        yield Home(path=path, database_url=f"sqlite:///{path / 'sourcekeep.db'}", backend=backend)
        return
    schema = f"sk_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_ADMIN_URL}?options=-csearch_path%3D{schema}"
    try:
        yield Home(path=path, database_url=url, backend=backend)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def home(tmp_path: Path, db_backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    """A fresh data home for one test, its variables set in the environment."""
    with database_home(tmp_path / "home", db_backend) as fresh:
        monkeypatch.setenv("SOURCEKEEP_HOME", str(fresh.path))
        monkeypatch.setenv("SOURCEKEEP_DATABASE_URL", fresh.database_url)
        yield fresh


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_in_process(*args: str) -> Result:
    """Run ``sourcekeep ARGS`` through its real entry point inside this process."""
    from scheduler.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["sourcekeep", *map(str, args)]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return Result(code, out.getvalue(), err.getvalue())


def run_subprocess(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    """Run the installed ``sourcekeep`` console script in a child process."""
    exe = Path(sys.executable).parent / "sourcekeep"
    proc = subprocess.run(
        [str(exe), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(home: Home):  # noqa: ANN201
    """Call the command line in-process against the test home."""
    return run_in_process
