"""Tables of the provenance database (SQLModel). Schema changes go through Alembic migrations."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from provenance.states import (
    FetchOutcome,
    Platform,
    ProblemKind,
    RunKind,
    RunStatus,
    SourceState,
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _enum(enum: type[Enum], name: str, **kw: Any) -> Any:
    """A column holding an enum's values as short strings under a CHECK constraint."""
    return Field(
        sa_column=sa.Column(
            name,
            sa.Enum(
                enum,
                name=f"ck_{name}_{enum.__name__.lower()}",
                native_enum=False,
                create_constraint=True,
                length=24,
                values_callable=lambda e: [m.value for m in e],
                validate_strings=True,
            ),
            **kw,
        )
    )


class Chronicle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=sa.Column(sa.String(200), unique=True, nullable=False))
    title: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    period: str = Field(sa_column=sa.Column(sa.String(7), nullable=False, index=True))
    url: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow)


class ChronicleVersion(SQLModel, table=True):
    """One ingested document of a chronicle. Versions are only ever added."""

    __tablename__ = "chronicle_version"
    __table_args__ = (sa.UniqueConstraint("chronicle_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    chronicle_id: int = Field(foreign_key="chronicle.id", index=True)
    number: int
    content_sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    media_type: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    origin: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    ingested_at: dt.datetime = Field(default_factory=utcnow)
    entries: int = 0
    markers: int = 0
    footnotes: int = 0


class Entry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="chronicle_version.id", index=True)
    position: int
    date: dt.date
    place: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    markers: list[int] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))


class Source(SQLModel, table=True):
    """A cited resource, deduplicated on its normalized URL."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    normalized_url: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    platform: Platform = _enum(Platform, "platform", nullable=False)
    host: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, index=True))
    state: SourceState = _enum(SourceState, "state", nullable=False, default=SourceState.PENDING)
    suspected: SourceState | None = _enum(SourceState, "suspected", nullable=True)
    state_since: dt.datetime | None = None
    last_checked: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class Footnote(SQLModel, table=True):
    """A footnote definition ``[N] URL`` as written in one chronicle version."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="chronicle_version.id", index=True)
    number: int
    url: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)


class Citation(SQLModel, table=True):
    """A marker ``[N]`` in an entry that has a footnote definition."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="chronicle_version.id", index=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    footnote: int
    url: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)


class Problem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="chronicle_version.id", index=True)
    kind: ProblemKind = _enum(ProblemKind, "kind", nullable=False)
    footnote: int | None = None
    detail: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    candidate: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class Run(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: RunKind = _enum(RunKind, "kind", nullable=False)
    status: RunStatus = _enum(RunStatus, "status", nullable=False, default=RunStatus.RUNNING)
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    software: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    counts: dict[str, int] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )


class Capture(SQLModel, table=True):
    """One fetch of one source: where its records are in the WARCs and what they hash to."""

    # every run looks for the captures whose text is owed: few rows, found without a scan
    __table_args__ = (
        sa.Index(
            "ix_capture_text_owed",
            "id",
            sqlite_where=sa.text("text_pending = 1"),
            postgresql_where=sa.text("text_pending"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="run.id", index=True)
    started_at: dt.datetime
    finished_at: dt.datetime
    warc_date: dt.datetime
    requested_url: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    final_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    http_status: int | None = None
    outcome: FetchOutcome = _enum(FetchOutcome, "outcome", nullable=False)
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    content_type: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    payload_sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), index=True))
    body_sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    text_sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    simhash: str | None = Field(default=None, sa_column=sa.Column(sa.String(32)))
    title: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    author: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    published: str | None = Field(default=None, sa_column=sa.Column(sa.String(40)))
    text: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    payload_size: int | None = None
    body_size: int | None = None
    text_size: int | None = None
    ip_address: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    tls_sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
    tls_valid: bool | None = None
    redirects: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    session_used: bool = False
    # its text is owed: extraction was wanted but its text is not stored yet (a crash, a
    # broken extraction pool, an extraction that raised); the next run finishes it from the
    # stored response record
    text_pending: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
    )


class CaptureRecord(SQLModel, table=True):
    """Where one WARC record of a capture lies: file, byte offset and length of its gzip member."""

    __tablename__ = "capture_record"

    id: int | None = Field(default=None, primary_key=True)
    capture_id: int = Field(foreign_key="capture.id", index=True)
    record_type: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    record_id: str = Field(sa_column=sa.Column(sa.String(80), nullable=False, unique=True))
    target_uri: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    warc_filename: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, index=True))
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    length: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    payload_digest: str | None = Field(default=None, sa_column=sa.Column(sa.String(80)))


class SourceCheck(SQLModel, table=True):
    """One liveness observation of a source: what was seen, and the evidence for it."""

    __tablename__ = "source_check"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="run.id", index=True)
    capture_id: int | None = Field(default=None, foreign_key="capture.id")
    checked_at: dt.datetime = Field(default_factory=utcnow)
    observed: SourceState = _enum(SourceState, "observed", nullable=False)
    evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )


class StateChange(SQLModel, table=True):
    """History of a source's state: when it changed, from what, to what, and why."""

    __tablename__ = "state_change"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    check_id: int | None = Field(default=None, foreign_key="source_check.id")
    changed_at: dt.datetime = Field(default_factory=utcnow)
    old_state: SourceState = _enum(SourceState, "old_state", nullable=False)
    new_state: SourceState = _enum(SourceState, "new_state", nullable=False)
    evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )


class WarcFile(SQLModel, table=True):
    """A WARC file of the collection; its SHA-256 is recorded once the file is closed."""

    __tablename__ = "warc_file"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(sa_column=sa.Column(sa.String(255), nullable=False, unique=True))
    created_at: dt.datetime = Field(default_factory=utcnow)
    closed_at: dt.datetime | None = None
    size: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger))
    sha256: str | None = Field(default=None, sa_column=sa.Column(sa.String(64)))
