"""Do we hold evidence of a source's content? Separate from whether the source is live.

A capture is good evidence when a check judged it so (``source_check.evidence.content``);
a check judges the capture it names and every other capture of the same source in the same
run (the embed, media of that fetch). For captures no check has judged (plain ``archive``
runs), a stored 2xx answer that did not end on a login page counts. A login wall, an error
page or a "not found" page is kept in the WARC as evidence *of the answer*, but it is not
evidence of the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from provenance.models import Capture, Source, SourceCheck
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
    requested_url: str
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
        Capture.run_id,
        Capture.requested_url,
        Capture.outcome,
        Capture.http_status,
        Capture.final_url,
    ).order_by(col(Capture.started_at), col(Capture.id))
    checks = select(
        SourceCheck.capture_id, SourceCheck.source_id, SourceCheck.run_id, SourceCheck.evidence
    )
    if source_ids is not None:
        ids = list(source_ids)
        query = query.where(col(Capture.source_id).in_(ids))
        checks = checks.where(col(SourceCheck.source_id).in_(ids))
    judged: dict[int, bool] = {}
    by_run: dict[tuple[int, int], bool] = {}
    for capture_id, source_id, run_id, evidence in session.exec(checks).all():
        content = bool((evidence or {}).get("content", False))
        if capture_id is not None:
            judged[capture_id] = content
        if run_id is not None:
            by_run[(source_id, run_id)] = by_run.get((source_id, run_id), False) or content
    facts = []
    for cid, sid, run_id, url, outcome, status, final in session.exec(query).all():
        verdict = judged.get(cid)
        if verdict is None and run_id is not None:
            verdict = by_run.get((sid, run_id))
        facts.append(CaptureFacts(cid, sid, url, FetchOutcome(outcome), status, final, verdict))
    return facts


def sources_with_evidence(session: Session, source_ids: Iterable[int] | None = None) -> set[int]:
    return {f.source_id for f in capture_facts(session, source_ids) if f.good}


def has_evidence(session: Session, source_id: int) -> bool:
    return source_id in sources_with_evidence(session, [source_id])


def first_good_capture(
    session: Session, source_id: int, requested_url: str | None = None
) -> Capture | None:
    """The baseline of drift: the earliest capture (of ``requested_url``) that is good evidence.

    Without ``requested_url``, captures of the source's own URL are preferred over those of
    its companions (embed, oEmbed, media).
    """
    facts = [f for f in capture_facts(session, [source_id]) if f.good]
    if requested_url is not None:
        facts = [f for f in facts if f.requested_url == requested_url]
    else:
        source = session.get(Source, source_id)
        own = [f for f in facts if source is not None and f.requested_url == source.url]
        facts = own or facts
    return session.get(Capture, facts[0].capture_id) if facts else None


def latest_capture(
    session: Session, source_id: int, requested_url: str | None = None
) -> Capture | None:
    query = select(Capture).where(Capture.source_id == source_id)
    if requested_url is not None:
        query = query.where(Capture.requested_url == requested_url)
    return session.exec(
        query.order_by(col(Capture.started_at).desc(), col(Capture.id).desc()).limit(1)
    ).first()
