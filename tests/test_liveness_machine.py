"""The liveness state machine: suspicion, confirmation over time, history and evidence."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from provenance.config import load_settings
from provenance.db import open_database
from provenance.liveness import (
    LivenessPolicy,
    Observation,
    PastCheck,
    decide,
    parse_duration,
    record_check,
)
from provenance.models import Source, SourceCheck, StateChange
from provenance.states import Platform, SourceState

T0 = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = LivenessPolicy(confirm_checks=3, confirm_interval=dt.timedelta(hours=48))
GONE = Observation(SourceState.GONE, {"status": 404})
LIVE = Observation(SourceState.LIVE, {"status": 200}, content=True)


def test_defaults_are_three_checks_over_two_days() -> None:
    policy = LivenessPolicy()
    assert policy.confirm_checks == 3
    assert policy.confirm_interval == dt.timedelta(hours=48)
    env = {"SOURCEKEEP_GONE_CHECKS": "2", "SOURCEKEEP_GONE_INTERVAL": "90s"}
    assert LivenessPolicy.from_env(env) == LivenessPolicy(2, dt.timedelta(seconds=90))
    assert parse_duration("2d") == dt.timedelta(days=2)
    with pytest.raises(ValueError, match="duration"):
        LivenessPolicy.from_env({"SOURCEKEEP_GONE_INTERVAL": "soon"})
    with pytest.raises(ValueError):
        LivenessPolicy(confirm_checks=0)


def test_one_failed_check_never_makes_a_live_source_gone() -> None:
    decision = decide(SourceState.LIVE, GONE, [], T0, POLICY)
    assert decision.state is SourceState.LIVE
    assert decision.suspected is SourceState.GONE
    assert decision.gone_streak == 1


def test_gone_needs_enough_checks_and_enough_time() -> None:
    history = [
        PastCheck(T0, SourceState.GONE),
        PastCheck(T0 + dt.timedelta(hours=1), SourceState.GONE),
    ]
    # Three checks, but within two hours: still only suspected.
    early = decide(SourceState.LIVE, GONE, history, T0 + dt.timedelta(hours=2), POLICY)
    assert (early.state, early.suspected) == (SourceState.LIVE, SourceState.GONE)
    late = decide(SourceState.LIVE, GONE, history, T0 + dt.timedelta(hours=48), POLICY)
    assert (late.state, late.suspected) == (SourceState.GONE, None)
    assert late.first_gone_at == T0 and late.gone_streak == 3
    # Two checks two days apart are not enough either.
    few = decide(SourceState.LIVE, GONE, history[:1], T0 + dt.timedelta(days=3), POLICY)
    assert few.state is SourceState.LIVE


def test_a_live_answer_breaks_the_streak_and_no_answer_does_not() -> None:
    broken = [
        PastCheck(T0, SourceState.GONE),
        PastCheck(T0 + dt.timedelta(hours=24), SourceState.LIVE),
        PastCheck(T0 + dt.timedelta(hours=30), SourceState.GONE),
    ]
    after = decide(SourceState.LIVE, GONE, broken, T0 + dt.timedelta(hours=60), POLICY)
    assert after.state is SourceState.LIVE and after.gone_streak == 2
    gapped = [
        PastCheck(T0, SourceState.GONE),
        PastCheck(T0 + dt.timedelta(hours=24), SourceState.UNREACHABLE),
        PastCheck(T0 + dt.timedelta(hours=30), SourceState.GONE),
    ]
    confirmed = decide(SourceState.LIVE, GONE, gapped, T0 + dt.timedelta(hours=60), POLICY)
    assert confirmed.state is SourceState.GONE


def test_inconclusive_observations_only_ever_suspect() -> None:
    unavailable = Observation(
        SourceState.GONE, {"marker": "content isn't available"}, conclusive=False
    )
    history = [
        PastCheck(T0 + dt.timedelta(days=d), SourceState.GONE, conclusive=False) for d in range(5)
    ]
    decision = decide(SourceState.WALLED, unavailable, history, T0 + dt.timedelta(days=6), POLICY)
    assert (decision.state, decision.suspected) == (SourceState.WALLED, SourceState.GONE)


def test_other_states_apply_at_once_and_clear_the_suspicion() -> None:
    for observed in (
        SourceState.WALLED,
        SourceState.BLOCKED,
        SourceState.CHANGED,
        SourceState.LIVE,
        SourceState.INVALID,
    ):
        decision = decide(
            SourceState.LIVE,
            Observation(observed),
            [PastCheck(T0, SourceState.GONE)],
            T0 + dt.timedelta(hours=1),
            POLICY,
        )
        assert (decision.state, decision.suspected) == (observed, None)
    unreachable = decide(
        SourceState.LIVE,
        Observation(SourceState.UNREACHABLE),
        [PastCheck(T0, SourceState.GONE)],
        T0 + dt.timedelta(hours=1),
        POLICY,
    )
    assert (unreachable.state, unreachable.suspected) == (SourceState.UNREACHABLE, SourceState.GONE)
    still_gone = decide(SourceState.GONE, Observation(SourceState.UNREACHABLE), [], T0, POLICY)
    assert still_gone.state is SourceState.GONE


def _source(session: Session) -> Source:
    source = Source(
        url="https://kaztag.kz/ru/news/1",
        normalized_url="https://kaztag.kz/ru/news/1",
        platform=Platform.WEB,
        host="kaztag.kz",
    )
    session.add(source)
    session.flush()
    return source


def test_record_check_writes_checks_history_and_evidence(home) -> None:  # noqa: ANN001
    engine = open_database(load_settings())
    with Session(engine) as session:
        source = _source(session)
        record_check(session, source, LIVE, policy=POLICY, now=T0)
        assert source.state is SourceState.LIVE and source.state_since == T0
        for hours in (24, 36):
            _check, change = record_check(
                session, source, GONE, policy=POLICY, now=T0 + dt.timedelta(hours=hours)
            )
            assert change is None
            assert (source.state, source.suspected) == (SourceState.LIVE, SourceState.GONE)
        _check, change = record_check(
            session, source, GONE, policy=POLICY, now=T0 + dt.timedelta(hours=72)
        )
        assert change is not None and change.new_state is SourceState.GONE
        assert source.state is SourceState.GONE and source.suspected is None
        session.commit()
        source_id = source.id

    with Session(engine) as session:
        checks = session.exec(
            select(SourceCheck).where(SourceCheck.source_id == source_id).order_by(SourceCheck.id)
        ).all()
        assert [c.observed for c in checks] == [SourceState.LIVE] + [SourceState.GONE] * 3
        assert checks[0].evidence == {"status": 200, "conclusive": True, "content": True}
        assert checks[-1].evidence["gone_streak"] == 3
        changes = session.exec(
            select(StateChange).where(StateChange.source_id == source_id).order_by(StateChange.id)
        ).all()
        assert [(c.old_state, c.new_state) for c in changes] == [
            (SourceState.PENDING, SourceState.LIVE),
            (SourceState.LIVE, SourceState.GONE),
        ]
        died = changes[-1]
        assert died.check_id == checks[-1].id
        assert died.evidence["status"] == 404
        # "When did it die": first seen gone, and when that was confirmed.
        assert dt.datetime.fromisoformat(died.evidence["first_gone_at"]) == T0 + dt.timedelta(
            hours=24
        )
        assert died.changed_at.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(hours=72)
        source = session.get(Source, source_id)
        assert source.last_checked.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(hours=72)
    engine.dispose()
