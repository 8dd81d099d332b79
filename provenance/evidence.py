"""Do we hold evidence of a source's content? Separate from whether the source is live.

A capture is good evidence when a check judged it so (``source_check.evidence.content``),
or, for captures no check has judged yet (plain ``archive`` runs), when it is a stored 2xx
answer that did not end on a login page. A login wall, an error page or a "not found" page
is kept in the WARC as evidence *of the answer*, but it is not evidence of the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from provenance.models import Capture, SourceCheck
from provenance.states import FetchOutcome

GOOD_OUTCOMES = frozenset({FetchOutcome.CAPTURED, FetchOutcome.REVISIT})
LOGIN_PATH_MARKERS = ("/login", "/accounts/login", "/checkpoint", "/signin", "/auth/")


def is_login_url(url: str | None) -> bool:
    if not url:
        return False
    path = urlsplit(url).path.lower()
    return any(marker in path for marker in LOGIN_PATH_MARKERS)


@dataclass(frozen=True)
class CaptureFacts:
    capture_id: int
    source_id: int
    outcome: FetchOutcome
    http_status: int | None
    final_url: str | None
    judged_content: bool | None  # what a check said, None when no check judged it

    @property
    def good(self) -> bool:
        if self.judged_content is not None:
            return self.judged_content
        if FetchOutcome(self.outcome) not in GOOD_OUTCOMES:
            return False
        if self.http_status is None or not 200 <= self.http_status < 300:
            return False
        return not is_login_url(self.final_url)


def capture_facts(session: Session, source_ids: Iterable[int] | None = None) -> list[CaptureFacts]:
    """Facts about every capture (of the given sources), oldest first."""
    query = select(
        Capture.id,
        Capture.source_id,
        Capture.outcome,
        Capture.http_status,
        Capture.final_url,
    ).order_by(col(Capture.started_at), col(Capture.id))
    checks = select(SourceCheck.capture_id, SourceCheck.evidence).where(
        col(SourceCheck.capture_id).is_not(None)
    )
    if source_ids is not None:
        ids = list(source_ids)
        query = query.where(col(Capture.source_id).in_(ids))
        checks = checks.where(col(SourceCheck.source_id).in_(ids))
    judged: dict[int, bool] = {}
    for capture_id, evidence in session.exec(checks).all():
        judged[capture_id] = bool((evidence or {}).get("content", False))
    return [
        CaptureFacts(cid, sid, FetchOutcome(outcome), status, final, judged.get(cid))
        for cid, sid, outcome, status, final in session.exec(query).all()
    ]


def sources_with_evidence(session: Session, source_ids: Iterable[int] | None = None) -> set[int]:
    return {f.source_id for f in capture_facts(session, source_ids) if f.good}


def has_evidence(session: Session, source_id: int) -> bool:
    return source_id in sources_with_evidence(session, [source_id])


def first_good_capture(session: Session, source_id: int) -> Capture | None:
    """The baseline of drift: the earliest capture that is good evidence."""
    for facts in capture_facts(session, [source_id]):
        if facts.good:
            return session.get(Capture, facts.capture_id)
    return None


def latest_capture(session: Session, source_id: int) -> Capture | None:
    return session.exec(
        select(Capture)
        .where(Capture.source_id == source_id)
        .order_by(col(Capture.started_at).desc(), col(Capture.id).desc())
        .limit(1)
    ).first()
