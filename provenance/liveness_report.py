"""Reading liveness back: sources with their state, counts per state, recent changes, and
the sources a chronicle cites."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from provenance.evidence import sources_with_evidence
from provenance.models import Run, Source, SourceCheck, StateChange
from provenance.states import RunKind, SourceState
from provenance.urls import normalize_url


def source_json(source: Source, evidence: bool) -> dict[str, Any]:
    return {
        "id": source.id,
        "url": source.url,
        "normalized_url": source.normalized_url,
        "platform": source.platform.value,
        "host": source.host,
        "state": SourceState(source.state).value,
        "suspected": SourceState(source.suspected).value if source.suspected else None,
        "state_since": source.state_since,
        "last_checked": source.last_checked,
        "has_evidence": evidence,
    }


def list_sources(
    session: Session, state: SourceState | None = None, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    query = select(Source).order_by(col(Source.id))
    if state is not None:
        query = query.where(Source.state == state)
    if ids is not None:
        query = query.where(col(Source.id).in_(list(ids)))
    sources = session.exec(query).all()
    with_evidence = sources_with_evidence(session, [s.id for s in sources if s.id is not None])
    return [source_json(s, s.id in with_evidence) for s in sources]


def state_counts(session: Session) -> dict[str, int]:
    """Sources per state, every state listed (zero included)."""
    counts = Counter(SourceState(s) for s in session.exec(select(Source.state)).all())
    return {state.value: counts.get(state, 0) for state in SourceState}


def suspected_counts(session: Session) -> dict[str, int]:
    rows = session.exec(select(Source.suspected).where(col(Source.suspected).is_not(None))).all()
    counts = Counter(SourceState(s).value for s in rows)
    return dict(sorted(counts.items()))


def latest_check_run(session: Session) -> Run | None:
    return session.exec(
        select(Run).where(Run.kind == RunKind.CHECK).order_by(col(Run.id).desc()).limit(1)
    ).first()


def recent_changes(
    session: Session,
    to_states: Iterable[SourceState],
    *,
    run_id: int | None = None,
    since: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """State changes into ``to_states``, made by one run's checks or since a moment."""
    query = (
        select(StateChange, Source)
        .join(Source, col(Source.id) == col(StateChange.source_id))
        .where(col(StateChange.new_state).in_(list(to_states)))
        .order_by(col(StateChange.changed_at), col(StateChange.id))
    )
    if run_id is not None:
        query = query.join(SourceCheck, col(SourceCheck.id) == col(StateChange.check_id)).where(
            SourceCheck.run_id == run_id
        )
    if since is not None:
        query = query.where(col(StateChange.changed_at) >= since)
    return [
        {
            "id": source.id,
            "url": source.url,
            "platform": source.platform.value,
            "old_state": SourceState(change.old_state).value,
            "new_state": SourceState(change.new_state).value,
            "changed_at": change.changed_at,
            "evidence": change.evidence,
        }
        for change, source in session.exec(query).all()
    ]


def find_source(session: Session, ref: str) -> Source | None:
    """A source by id, by its URL as written, or by its normalized URL."""
    text = ref.strip()
    if text.isdigit():
        return session.get(Source, int(text))
    found = session.exec(select(Source).where(Source.url == text).limit(1)).first()
    if found is not None:
        return found
    key = normalize_url(text)
    return session.exec(select(Source).where(Source.normalized_url == key)).first()
