"""capture.text_pending: captures whose extracted text is still owed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("text_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # a partial index: every run looks for the few captures whose text is owed
    op.create_index(
        "ix_capture_text_owed",
        "capture",
        ["id"],
        sqlite_where=sa.text("text_pending = 1"),
        postgresql_where=sa.text("text_pending"),
    )


def downgrade() -> None:
    op.drop_index("ix_capture_text_owed", table_name="capture")
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.drop_column("text_pending")
