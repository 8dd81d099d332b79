"""The liveness reading commands: sources, status and diff, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from provenance.config import load_settings
from provenance.db import open_database
from provenance.liveness import LivenessPolicy, Observation, record_check
from provenance.models import Capture, Run, Source
from provenance.states import FetchOutcome, Platform, RunKind, RunStatus, SourceState

T0 = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
POLICY = LivenessPolicy(confirm_checks=2, confirm_interval=dt.timedelta(hours=1))
V1 = (
    "The Almaty court sentenced the activist to five years in a general regime colony. "
    "His lawyer said the defence would appeal the verdict. The activist denies the charges."
)
V2 = V1.replace("five years", "seven years") + " Human rights groups condemned the sentence."


def _source(session: Session, url: str, platform: Platform, host: str) -> Source:
    source = Source(url=url, normalized_url=url, platform=platform, host=host)
    session.add(source)
    session.flush()
    return source


def _capture(
    session: Session,
    source: Source,
    when: dt.datetime,
    status: int,
    text: str | None,
    final_url: str | None = None,
    run_id: int | None = None,
) -> Capture:
    capture = Capture(
        source_id=source.id,
        run_id=run_id,
        started_at=when,
        finished_at=when,
        warc_date=when,
        requested_url=source.url,
        final_url=final_url or source.url,
        http_status=status,
        outcome=FetchOutcome.CAPTURED if status < 400 else FetchOutcome.HTTP_ERROR,
        text=text,
    )
    session.add(capture)
    session.flush()
    return capture


def _populate() -> dict[str, int]:
    engine = open_database(load_settings())
    with Session(engine) as session:
        article = _source(session, "https://kaztag.kz/ru/news/1", Platform.WEB, "kaztag.kz")
        deleted = _source(session, "https://orda.kz/2024/05/a-1/", Platform.WEB, "orda.kz")
        walled = _source(
            session,
            "https://www.facebook.com/groups/ActivistsNotExtremists/posts/3681583752160881/",
            Platform.FACEBOOK,
            "www.facebook.com",
        )
        ig = _source(
            session,
            "https://www.instagram.com/p/C7efDXGtQ_5/",
            Platform.INSTAGRAM,
            "www.instagram.com",
        )
        _source(session, "https://t.me/AdalSotKz/1652", Platform.TELEGRAM, "t.me")
        # Captured by an archive run: no check judged them yet.
        _capture(session, article, T0, 200, V1)
        _capture(session, deleted, T0, 200, "An article that will be deleted.")
        _capture(session, ig, T0, 200, "Log in", "https://www.instagram.com/accounts/login/")
        login = _capture(session, walled, T0, 200, "You must log in to continue.")
        run = Run(
            kind=RunKind.CHECK,
            status=RunStatus.FINISHED,
            software="sourcekeep/test",
            started_at=T0 + dt.timedelta(days=1),
        )
        session.add(run)
        session.flush()
        later = T0 + dt.timedelta(days=1)
        edited = _capture(session, article, later, 200, V2, run_id=run.id)
        record_check(
            session,
            article,
            Observation(SourceState.LIVE, {"status": 200}, content=True),
            policy=POLICY,
            now=T0 + dt.timedelta(hours=1),
        )
        record_check(
            session,
            article,
            Observation(SourceState.CHANGED, {"status": 200}, content=True),
            policy=POLICY,
            run_id=run.id,
            capture_id=edited.id,
            now=later,
        )
        record_check(
            session,
            walled,
            Observation(SourceState.WALLED, {"marker": "login form"}),
            policy=POLICY,
            run_id=run.id,
            capture_id=login.id,
            now=later,
        )
        for hours in (0, 2):
            record_check(
                session,
                deleted,
                Observation(SourceState.GONE, {"status": 404}),
                policy=POLICY,
                run_id=run.id,
                now=later + dt.timedelta(hours=hours),
            )
        session.commit()
        ids = {"article": article.id, "deleted": deleted.id, "walled": walled.id, "ig": ig.id}
    engine.dispose()
    return ids


def test_sources_lists_state_and_evidence(cli) -> None:  # noqa: ANN001
    ids = _populate()
    result = cli("sources", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["count"] == 5
    by_id = {s["id"]: s for s in data["sources"]}
    for item in data["sources"]:
        assert {
            "id",
            "url",
            "platform",
            "state",
            "last_checked",
            "has_evidence",
            "suspected",
        } <= item.keys()
    article = by_id[ids["article"]]
    assert (article["state"], article["has_evidence"], article["platform"]) == (
        "changed",
        True,
        "web",
    )
    assert article["last_checked"].startswith("2024-06-02T12:00")
    assert by_id[ids["deleted"]]["state"] == "gone"
    assert by_id[ids["deleted"]]["has_evidence"] is True  # the capture made before deletion
    walled = by_id[ids["walled"]]
    assert (walled["state"], walled["has_evidence"]) == ("walled", False)  # a login page only
    assert by_id[ids["ig"]]["has_evidence"] is False  # ended on /accounts/login
    pending = [s for s in data["sources"] if s["platform"] == "telegram"][0]
    assert (pending["state"], pending["last_checked"], pending["has_evidence"]) == (
        "pending",
        None,
        False,
    )

    gone = cli("sources", "--state", "gone", "--json").json()
    assert [s["id"] for s in gone["sources"]] == [ids["deleted"]]
    table = cli("sources", "--state", "walled")
    assert table.code == 0 and "facebook" in table.stdout


def test_sources_rejects_an_unknown_state_in_one_line(cli) -> None:  # noqa: ANN001
    result = cli("sources", "--state", "dead")
    assert result.code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown state 'dead'" in result.stderr and "Traceback" not in result.stderr


def test_status_counts_states_and_reports_newly_gone_and_changed(cli) -> None:  # noqa: ANN001
    ids = _populate()
    result = cli("status", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["sources"] == 5
    assert data["states"] == {
        "pending": 2,
        "live": 0,
        "changed": 1,
        "gone": 1,
        "walled": 1,
        "blocked": 0,
        "unreachable": 0,
        "invalid": 0,
    }
    assert data["has_evidence"] == 2 and data["without_evidence"] == 3
    assert [g["id"] for g in data["newly_gone"]] == [ids["deleted"]]
    assert data["newly_gone"][0]["old_state"] == "pending"
    assert data["newly_gone"][0]["evidence"]["status"] == 404
    assert [c["id"] for c in data["newly_changed"]] == [ids["article"]]
    assert data["last_check_run"]["status"] == "finished"
    human = cli("status")
    assert human.code == 0 and "gone" in human.stdout and "Newly gone" in human.stdout
    assert cli("status", "--since", "yesterday").code == 2


def test_diff_shows_the_words_that_changed(cli) -> None:  # noqa: ANN001
    ids = _populate()
    result = cli("diff", str(ids["article"]), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["drift"]["state"] == "changed"
    assert data["drift"]["words_added"] == 8 and data["drift"]["words_removed"] == 1
    assert data["baseline"]["http_status"] == 200 and data["latest"]["id"] != data["baseline"]["id"]
    assert any("[-five-] {+seven+}" in h for h in data["hunks"])
    assert any("{+Human rights groups condemned the sentence .+}" in h for h in data["hunks"])
    by_url = cli("diff", "https://kaztag.kz/ru/news/1")
    assert by_url.code == 0 and "[-five-]" in by_url.stdout and "changed" in by_url.stdout


def test_diff_of_unknown_or_uncaptured_sources(cli) -> None:  # noqa: ANN001
    ids = _populate()
    missing = cli("diff", "99999")
    assert missing.code == 2 and "no such source" in missing.stderr
    walled = cli("diff", str(ids["walled"]))
    assert walled.code == 1 and "no good capture" in walled.stderr
