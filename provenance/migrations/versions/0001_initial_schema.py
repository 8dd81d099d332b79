"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 15:56:08.543408
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "chronicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("chronicle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronicle_period"), ["period"], unique=False)

    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "archive",
                "check",
                name="ck_kind_runkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "finished",
                "failed",
                "interrupted",
                name="ck_status_runstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("software", sa.String(length=100), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("normalized_url", sa.Text(), nullable=False),
        sa.Column(
            "platform",
            sa.Enum(
                "telegram",
                "facebook",
                "instagram",
                "youtube",
                "web",
                name="ck_platform_platform",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "live",
                "changed",
                "gone",
                "walled",
                "blocked",
                "unreachable",
                "invalid",
                name="ck_state_sourcestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "suspected",
            sa.Enum(
                "pending",
                "live",
                "changed",
                "gone",
                "walled",
                "blocked",
                "unreachable",
                "invalid",
                name="ck_suspected_sourcestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("state_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_checked", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("normalized_url"),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_host"), ["host"], unique=False)

    op.create_table(
        "warc_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("filename"),
    )
    op.create_table(
        "capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("warc_date", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("requested_url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "captured",
                "revisit",
                "http_error",
                "truncated",
                "network_error",
                "timeout",
                "refused",
                name="ck_outcome_fetchoutcome",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("payload_sha256", sa.String(length=64), nullable=True),
        sa.Column("body_sha256", sa.String(length=64), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("simhash", sa.String(length=32), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("payload_size", sa.Integer(), nullable=True),
        sa.Column("body_size", sa.Integer(), nullable=True),
        sa.Column("text_size", sa.Integer(), nullable=True),
        sa.Column("ip_address", sa.String(length=64), nullable=True),
        sa.Column("tls_sha256", sa.String(length=64), nullable=True),
        sa.Column("tls_valid", sa.Boolean(), nullable=True),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("session_used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capture_payload_sha256"), ["payload_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_capture_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capture_source_id"), ["source_id"], unique=False)

    op.create_table(
        "chronicle_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chronicle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("ingested_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("markers", sa.Integer(), nullable=False),
        sa.Column("footnotes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chronicle_id"],
            ["chronicle.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chronicle_id", "number"),
    )
    with op.batch_alter_table("chronicle_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chronicle_version_chronicle_id"), ["chronicle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chronicle_version_content_sha256"), ["content_sha256"], unique=False
        )

    op.create_table(
        "capture_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.Column("target_uri", sa.Text(), nullable=False),
        sa.Column("warc_filename", sa.String(length=255), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("payload_digest", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["capture_id"],
            ["capture.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id"),
    )
    with op.batch_alter_table("capture_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_capture_record_capture_id"), ["capture_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_capture_record_warc_filename"), ["warc_filename"], unique=False
        )

    op.create_table(
        "entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["chronicle_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_version_id"), ["version_id"], unique=False)

    op.create_table(
        "footnote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["chronicle_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("footnote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_footnote_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_footnote_version_id"), ["version_id"], unique=False)

    op.create_table(
        "problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "unresolved_marker",
                "unused_footnote",
                "malformed_url",
                "unsupported_scheme",
                "duplicate_url",
                "tracking_params",
                "preview_link",
                "date_out_of_order",
                name="ck_kind_problemkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("footnote", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("candidate", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["chronicle_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_version_id"), ["version_id"], unique=False)

    op.create_table(
        "source_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "observed",
            sa.Enum(
                "pending",
                "live",
                "changed",
                "gone",
                "walled",
                "blocked",
                "unreachable",
                "invalid",
                name="ck_observed_sourcestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["capture_id"],
            ["capture.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_check_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_check_source_id"), ["source_id"], unique=False)

    op.create_table(
        "citation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("footnote", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["chronicle_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citation_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citation_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citation_version_id"), ["version_id"], unique=False)

    op.create_table(
        "state_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "old_state",
            sa.Enum(
                "pending",
                "live",
                "changed",
                "gone",
                "walled",
                "blocked",
                "unreachable",
                "invalid",
                name="ck_old_state_sourcestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "new_state",
            sa.Enum(
                "pending",
                "live",
                "changed",
                "gone",
                "walled",
                "blocked",
                "unreachable",
                "invalid",
                name="ck_new_state_sourcestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["source_check.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("state_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_state_change_source_id"), ["source_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_change_source_id"))

    op.drop_table("state_change")
    with op.batch_alter_table("citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citation_version_id"))
        batch_op.drop_index(batch_op.f("ix_citation_source_id"))
        batch_op.drop_index(batch_op.f("ix_citation_entry_id"))

    op.drop_table("citation")
    with op.batch_alter_table("source_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_check_source_id"))
        batch_op.drop_index(batch_op.f("ix_source_check_run_id"))

    op.drop_table("source_check")
    with op.batch_alter_table("problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_version_id"))

    op.drop_table("problem")
    with op.batch_alter_table("footnote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footnote_version_id"))
        batch_op.drop_index(batch_op.f("ix_footnote_source_id"))

    op.drop_table("footnote")
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_version_id"))

    op.drop_table("entry")
    with op.batch_alter_table("capture_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_record_warc_filename"))
        batch_op.drop_index(batch_op.f("ix_capture_record_capture_id"))

    op.drop_table("capture_record")
    with op.batch_alter_table("chronicle_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronicle_version_content_sha256"))
        batch_op.drop_index(batch_op.f("ix_chronicle_version_chronicle_id"))

    op.drop_table("chronicle_version")
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_source_id"))
        batch_op.drop_index(batch_op.f("ix_capture_run_id"))
        batch_op.drop_index(batch_op.f("ix_capture_payload_sha256"))

    op.drop_table("capture")
    op.drop_table("warc_file")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_host"))

    op.drop_table("source")
    op.drop_table("run")
    with op.batch_alter_table("chronicle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronicle_period"))

    op.drop_table("chronicle")
