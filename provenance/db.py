"""Opening the database: engine, sessions, and upgrading the schema with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from provenance.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(Exception):
    """The database could not be opened or upgraded (one-line message for the user)."""


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


SCHEMA_HEADS = frozenset({"0002"})
"""The newest migration(s) in ``migrations/versions``: a test holds this to Alembic's heads."""


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration. Migrations only ever add; none drops data.

    A database already at the newest revisions is left alone: the check reads the revision
    table and compares it with ``SCHEMA_HEADS``, so opening such a database (every command
    but the first) does not import Alembic and its templating (~0.15 s of start-up)."""
    if at_heads(engine):
        return
    from alembic import command
    from alembic.util.exc import CommandError

    try:
        command.upgrade(alembic_config(engine), "heads")
    except CommandError as exc:  # e.g. a revision written by a newer sourcekeep
        raise DatabaseError(f"cannot upgrade the database schema: {exc}") from exc


def at_heads(engine: Engine) -> bool:
    """Whether the database's revision table names exactly ``SCHEMA_HEADS``."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return False
        current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        return set(current) == SCHEMA_HEADS


def open_database(settings: Settings) -> Engine:
    """Create the home directory, connect, and upgrade the schema."""
    if settings.database_url.startswith("sqlite"):
        settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade(engine)
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"cannot open database: {exc.orig}") from exc
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
