"""Liveness of a source: what one check observed, and how observations move its state.

A platform adapter turns one fetch into an :class:`Observation` (the state the fetch points
to, with evidence). :func:`decide` is the state machine; :func:`record_check` stores the
observation in ``source_check``, applies the decision to the ``source`` row and writes every
change of state to ``state_change``.

Deletion is never concluded from one answer. A source becomes ``gone`` only after
``confirm_checks`` consecutive conclusive "gone" observations whose first and last lie at
least ``confirm_interval`` apart (defaults: 3 checks over at least 48 hours). Until then the
state keeps its last value and ``Source.suspected`` says ``gone``. Checks that got no answer
at all (``unreachable``) neither count towards nor break that streak; any other answer breaks
it. Observations marked inconclusive (e.g. Facebook's "This content isn't available" shown to
an anonymous visitor) raise the suspicion but never confirm it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from provenance.models import Source, SourceCheck, StateChange, utcnow
from provenance.states import SourceState

GONE_CHECKS_ENV = "SOURCEKEEP_GONE_CHECKS"
GONE_INTERVAL_ENV = "SOURCEKEEP_GONE_INTERVAL"

DEFAULT_CONFIRM_CHECKS = 3
DEFAULT_CONFIRM_INTERVAL = dt.timedelta(hours=48)

# States that say the content is reachable; drift decides between the two.
REACHABLE = frozenset({SourceState.LIVE, SourceState.CHANGED})


@dataclass(frozen=True)
class Observation:
    """What one check of one source saw.

    ``state`` is what the fetch points to (``live`` for reachable content, before drift is
    applied). ``evidence`` is JSON-serializable: status code, final URL, marker found,
    similarity figures. ``conclusive`` False means the observation may raise a suspicion of
    deletion but can never confirm it. ``content`` says whether the fetch holds the source's
    content (a capture worth keeping as evidence; a login page is not).
    """

    state: SourceState
    evidence: dict[str, Any] = field(default_factory=dict)
    conclusive: bool = True
    content: bool = False

    def with_state(self, state: SourceState, **evidence: Any) -> Observation:
        return Observation(
            state=state,
            evidence={**self.evidence, **evidence},
            conclusive=self.conclusive,
            content=self.content,
        )


@dataclass(frozen=True)
class LivenessPolicy:
    """How much agreement confirms a deletion."""

    confirm_checks: int = DEFAULT_CONFIRM_CHECKS
    confirm_interval: dt.timedelta = DEFAULT_CONFIRM_INTERVAL

    def __post_init__(self) -> None:
        if self.confirm_checks < 1:
            raise ValueError("confirm_checks must be at least 1")
        if self.confirm_interval < dt.timedelta(0):
            raise ValueError("confirm_interval must not be negative")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> LivenessPolicy:
        """Read ``SOURCEKEEP_GONE_CHECKS`` and ``SOURCEKEEP_GONE_INTERVAL`` (e.g. ``48h``)."""
        env = os.environ if environ is None else environ
        checks = env.get(GONE_CHECKS_ENV)
        interval = env.get(GONE_INTERVAL_ENV)
        try:
            return cls(
                confirm_checks=int(checks) if checks else DEFAULT_CONFIRM_CHECKS,
                confirm_interval=(
                    parse_duration(interval) if interval else DEFAULT_CONFIRM_INTERVAL
                ),
            )
        except ValueError as exc:
            raise ValueError(f"{GONE_CHECKS_ENV}/{GONE_INTERVAL_ENV}: {exc}") from exc


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """``90``, ``90s``, ``15m``, ``48h``, ``2d`` → timedelta."""
    match = _DURATION.match(text.lower())
    if not match:
        raise ValueError(f"not a duration (e.g. 48h, 30m, 2d): {text!r}")
    return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class PastCheck:
    """The part of an earlier check the state machine needs."""

    checked_at: dt.datetime
    observed: SourceState
    conclusive: bool = True


@dataclass(frozen=True)
class Decision:
    state: SourceState
    suspected: SourceState | None
    gone_streak: int = 0  # conclusive gone observations in a row, this one included
    first_gone_at: dt.datetime | None = None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def gone_streak(history: Sequence[PastCheck]) -> list[dt.datetime]:
    """Times of the trailing run of conclusive gone checks (oldest first).

    ``history`` is oldest first. Unreachable checks are skipped; anything else ends the run.
    """
    times: list[dt.datetime] = []
    for past in reversed(history):
        if past.observed is SourceState.UNREACHABLE:
            continue
        if past.observed is SourceState.GONE and past.conclusive:
            times.append(_aware(past.checked_at))
            continue
        break
    return list(reversed(times))


def decide(
    current: SourceState,
    observation: Observation,
    history: Sequence[PastCheck],
    now: dt.datetime,
    policy: LivenessPolicy,
) -> Decision:
    """The new state and suspicion of a source in ``current`` state after ``observation``.

    ``history`` holds the earlier checks, oldest first (not including this one).
    """
    observed = observation.state
    if observed is SourceState.GONE:
        if current is SourceState.GONE:
            return Decision(SourceState.GONE, None)
        if not observation.conclusive:
            return Decision(current, SourceState.GONE)
        streak = [*gone_streak(history), _aware(now)]
        confirmed = (
            len(streak) >= policy.confirm_checks
            and streak[-1] - streak[0] >= policy.confirm_interval
        )
        if confirmed:
            return Decision(SourceState.GONE, None, len(streak), streak[0])
        return Decision(current, SourceState.GONE, len(streak), streak[0])
    if observed is SourceState.UNREACHABLE:
        # No answer says nothing about deletion: a gone source stays gone, a suspicion stays.
        if current is SourceState.GONE:
            return Decision(SourceState.GONE, None)
        suspected = None
        if history and gone_streak(history):
            suspected = SourceState.GONE
        return Decision(SourceState.UNREACHABLE, suspected)
    return Decision(observed, None)


def load_history(session: Session, source_id: int, limit: int = 50) -> list[PastCheck]:
    """The latest ``limit`` checks of a source, oldest first."""
    rows = session.exec(
        select(SourceCheck)
        .where(SourceCheck.source_id == source_id)
        .order_by(col(SourceCheck.checked_at).desc(), col(SourceCheck.id).desc())
        .limit(limit)
    ).all()
    return [
        PastCheck(
            checked_at=row.checked_at,
            observed=SourceState(row.observed),
            conclusive=bool((row.evidence or {}).get("conclusive", True)),
        )
        for row in reversed(rows)
    ]


def record_check(
    session: Session,
    source: Source,
    observation: Observation,
    *,
    policy: LivenessPolicy,
    run_id: int | None = None,
    capture_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[SourceCheck, StateChange | None]:
    """Store one check, move the source's state, and write the change (if any) to history."""
    if source.id is None:
        raise ValueError("the source must be stored before it is checked")
    moment = now or utcnow()
    history = load_history(session, source.id)
    decision = decide(SourceState(source.state), observation, history, moment, policy)
    evidence = {
        **observation.evidence,
        "conclusive": observation.conclusive,
        "content": observation.content,
    }
    if decision.gone_streak:
        evidence["gone_streak"] = decision.gone_streak
    check = SourceCheck(
        source_id=source.id,
        run_id=run_id,
        capture_id=capture_id,
        checked_at=moment,
        observed=observation.state,
        evidence=evidence,
    )
    session.add(check)
    session.flush()
    change = None
    old = SourceState(source.state)
    if decision.state is not old:
        change_evidence = dict(evidence)
        if decision.first_gone_at is not None:
            change_evidence["first_gone_at"] = decision.first_gone_at.isoformat()
        change = StateChange(
            source_id=source.id,
            check_id=check.id,
            changed_at=moment,
            old_state=old,
            new_state=decision.state,
            evidence=change_evidence,
        )
        session.add(change)
        source.state = decision.state
        source.state_since = moment
    source.suspected = decision.suspected
    source.last_checked = moment
    session.add(source)
    session.flush()
    return check, change
