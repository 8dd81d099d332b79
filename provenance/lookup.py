"""Look-ups of stored chronicles and their versions, shared by ingest, archive runs and the
choice of sources to capture (kept apart from ``provenance.ingest``, which loads the chronicle
parser)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from provenance.models import Chronicle, ChronicleVersion


def find_chronicle(session: Session, ref: str) -> Chronicle | None:
    """A chronicle by numeric id or slug."""
    if ref.isdigit():
        return session.get(Chronicle, int(ref))
    return session.exec(select(Chronicle).where(Chronicle.slug == ref)).first()


def latest_version(session: Session, chronicle_id: int) -> ChronicleVersion | None:
    """The newest version of a chronicle, or None when it has none."""
    return session.exec(
        select(ChronicleVersion)
        .where(ChronicleVersion.chronicle_id == chronicle_id)
        .order_by(sa.desc(ChronicleVersion.number))
    ).first()
