"""Opening the database: a new one is upgraded to the newest schema, one already there is
opened without loading Alembic, and one at a revision this sourcekeep does not know is
refused with one line."""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from provenance.config import load_settings
from provenance.db import SCHEMA_HEADS, alembic_config, at_heads, create_db_engine, open_database
from scheduler.cli.common import EXIT_USAGE
from tests.conftest import Home, run_subprocess

# opens the home's database in a fresh interpreter, then says whether Alembic got imported
PROBE = (
    "import sys; from provenance.config import load_settings; "
    "from provenance.db import open_database; open_database(load_settings()).dispose(); "
    "print('alembic' in sys.modules)"
)


def _alembic_imported(home: Home) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=home.env(), capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "True"


def test_schema_heads_name_the_newest_migrations() -> None:
    engine = create_db_engine("sqlite://")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert set(scripts.get_heads()) == SCHEMA_HEADS


def test_a_database_at_the_newest_schema_opens_without_alembic(home: Home) -> None:
    assert _alembic_imported(home)  # new: the schema is created by Alembic
    engine = open_database(load_settings())
    try:
        assert at_heads(engine)
        assert {"source", "capture", "chronicle"} <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert not _alembic_imported(home)  # at head: left alone


def test_a_database_at_a_revision_it_does_not_know_is_refused_in_one_line(home: Home) -> None:
    """A schema written by a newer sourcekeep is not at this one's heads: Alembic is asked,
    and the command ends with one line, not a traceback, and changes nothing."""
    engine = open_database(load_settings())
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = 'newer'"))
        assert not at_heads(engine)
    finally:
        engine.dispose()
    out = run_subprocess("chronicles", env=home.env())
    assert out.code == EXIT_USAGE
    assert "Traceback" not in out.stderr
    assert "cannot upgrade the database schema" in out.stderr and "newer" in out.stderr
    engine = create_db_engine(home.database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
                "newer"
            )
    finally:
        engine.dispose()
