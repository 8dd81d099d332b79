"""A check run in which no host answers says nothing about the sources' domains."""

from __future__ import annotations

from sqlmodel import Session, select

from crawler.results import FetchedExchange, Role
from crawler.spider import FetchResult, SourceItem, Target
from crawler.store import StoredSource
from provenance import captures
from provenance.config import load_settings
from provenance.db import open_database
from provenance.liveness import LivenessPolicy
from provenance.models import SourceCheck
from provenance.states import FetchOutcome, NetworkFailure, RunKind, SourceState
from scheduler.checking import LivenessHook
from tests.archive_support import add_sources
from tests.conftest import Home

KAZTAG = "https://kaztag.kz/ru/news/sud-v-almaty"
ORDA = "https://orda.kz/zhurnalist-386350/"
VLAST = "https://vlast.kz/novosti/60099.html"


def _stored(source_id: int, url: str, exchange: FetchedExchange) -> tuple:
    item = SourceItem(Target(source_id, url), [FetchResult(Role.PAGE, True, [], exchange)])
    return item.source_fetch(), StoredSource(item=item, capture_ids=[None], text_jobs=[])


def _unresolved(url: str) -> FetchedExchange:
    return FetchedExchange(
        role=Role.PAGE,
        requested_url=url,
        final_url=None,
        outcome=FetchOutcome.NETWORK_ERROR,
        error="CannotResolveHostError: no results",
        network_failure=NetworkFailure.DNS,
    )


def test_unresolved_names_suspect_nothing_until_some_host_answers(home: Home) -> None:
    ids = add_sources(home.database_url, home.path, [KAZTAG, ORDA, VLAST])
    engine = open_database(load_settings())
    with Session(engine) as session:
        run_id = captures.start_run(session, RunKind.CHECK, "sourcekeep/test").id
    hook = LivenessHook(engine=engine, run_id=run_id, policy=LivenessPolicy())

    hook(*_stored(ids[KAZTAG], KAZTAG, _unresolved(KAZTAG)))  # nothing has answered yet
    answered = FetchedExchange(
        role=Role.PAGE,
        requested_url=ORDA,
        final_url=ORDA,
        outcome=FetchOutcome.HTTP_ERROR,
        status=404,
    )
    hook(*_stored(ids[ORDA], ORDA, answered))
    hook(*_stored(ids[VLAST], VLAST, _unresolved(VLAST)))  # now the network is known to work

    with Session(engine) as session:
        observed = {
            check.source_id: check.observed for check in session.exec(select(SourceCheck)).all()
        }
    engine.dispose()
    assert observed == {
        ids[KAZTAG]: SourceState.UNREACHABLE,
        ids[ORDA]: SourceState.GONE,
        ids[VLAST]: SourceState.GONE,
    }
