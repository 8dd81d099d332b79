"""`sourcekeep check` end to end through the fixture web: state sequences and evidence.

Each check runs the real command in a child process (the crawler's reactor runs once per
process); the fixture web changes what a URL answers between checks.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from provenance.config import load_settings
from provenance.db import open_database
from provenance.models import SourceCheck, StateChange
from tests.archive_support import add_sources
from tests.conftest import Home, run_subprocess
from tests.fixtureweb import catalogue as cat
from tests.fixtureweb import telegram
from tests.fixtureweb.state import Stage
from tests.fixtureweb.web import FixtureWeb

pytestmark = pytest.mark.slow

CHECK_ENV = {
    "SOURCEKEEP_POLITE": "0",
    "SOURCEKEEP_RETRIES": "0",
    "SOURCEKEEP_TIMEOUT": "10",
    "SOURCEKEEP_EXTRACT_WORKERS": "1",
    "SOURCEKEEP_GONE_CHECKS": "2",
    "SOURCEKEEP_GONE_INTERVAL": "0s",
}


def _check(home: Home, web: FixtureWeb, *args: str) -> dict[str, Any]:
    env = {**home.env(), **web.env(), **CHECK_ENV}
    result = run_subprocess("check", *args, "--json", env=env)
    assert result.code == 0, result.stderr[-3000:]
    return result.json()


def _sources(cli) -> dict[int, dict[str, Any]]:  # noqa: ANN001
    data = cli("sources", "--json").json()
    return {s["id"]: s for s in data["sources"]}


def _history(source_id: int) -> tuple[list[SourceCheck], list[StateChange]]:
    engine = open_database(load_settings())
    with Session(engine) as session:
        checks = session.exec(
            select(SourceCheck).where(SourceCheck.source_id == source_id).order_by(SourceCheck.id)
        ).all()
        changes = session.exec(
            select(StateChange).where(StateChange.source_id == source_id).order_by(StateChange.id)
        ).all()
    engine.dispose()
    return list(checks), list(changes)


def test_article_lifecycle_live_changed_boilerplate_then_gone(
    home: Home,
    cli,
    fresh_fixture_web: FixtureWeb,  # noqa: ANN001
) -> None:
    web = fresh_fixture_web
    url = cat.TIMELINE_ARTICLE
    ids = add_sources(
        home.database_url,
        home.path,
        [url, cat.HOME_REDIRECT, cat.SOFT404_ARTICLE, cat.SOFT404_MISSING],
    )
    sid = ids[url]

    first = _check(home, web)
    assert first["checked"] == 4 and first["status"] == "finished"
    states = _sources(cli)
    assert states[sid]["state"] == "live" and states[sid]["has_evidence"]
    # A deleted article redirected to the home page: a soft-404, only suspected at first.
    home_redirect = states[ids[cat.HOME_REDIRECT]]
    assert (home_redirect["state"], home_redirect["suspected"]) == ("pending", "gone")
    # On a host whose unknown URLs all answer 200, the probe tells article from home page.
    assert states[ids[cat.SOFT404_ARTICLE]]["state"] == "live"
    missing = states[ids[cat.SOFT404_MISSING]]
    assert (missing["state"], missing["suspected"]) == ("pending", "gone")

    web.set_stage(url, Stage.BOILERPLATE)
    boilerplate = _check(home, web)
    assert _sources(cli)[sid]["state"] == "live"  # menus and header dates do not count
    # The second consistent soft-404 confirms those deletions (2 checks, no minimum interval).
    assert sorted(g["id"] for g in boilerplate["newly_gone"]) == sorted(
        [ids[cat.HOME_REDIRECT], ids[cat.SOFT404_MISSING]]
    )

    web.set_stage(url, Stage.V2)
    second = _check(home, web)
    assert _sources(cli)[sid]["state"] == "changed"
    assert [c["id"] for c in second["newly_changed"]] == [sid]
    diff = cli("diff", str(sid), "--json").json()
    assert diff["drift"]["state"] == "changed" and diff["hunks"]

    web.set_stage(url, Stage.NOT_FOUND)
    _check(home, web)
    after_one = _sources(cli)[sid]
    assert (after_one["state"], after_one["suspected"]) == ("changed", "gone")
    assert after_one["has_evidence"]  # what was captured before stays evidence
    confirmed = _check(home, web)
    assert _sources(cli)[sid]["state"] == "gone"
    assert [g["id"] for g in confirmed["newly_gone"]] == [sid]

    checks, changes = _history(sid)
    assert [c.observed.value for c in checks] == ["live", "live", "changed", "gone", "gone"]
    assert [(c.old_state.value, c.new_state.value) for c in changes] == [
        ("pending", "live"),
        ("live", "changed"),
        ("changed", "gone"),
    ]
    assert changes[1].evidence["word_ratio"] < 1.0
    assert changes[-1].evidence["status"] == 404 and "first_gone_at" in changes[-1].evidence
    soft = _history(ids[cat.HOME_REDIRECT])[1][-1].evidence
    assert soft["soft404"] == "redirect to front page"
    assert soft["final_url"] == cat.HOME_REDIRECT_TARGET
    probe = _history(ids[cat.SOFT404_MISSING])[1][-1].evidence
    assert probe["soft404"] in ("probe", "redirect to front page")


def test_platforms_end_to_end(home: Home, cli, fresh_fixture_web: FixtureWeb) -> None:  # noqa: ANN001
    web = fresh_fixture_web
    urls = [
        cat.TG_TEXT_POST,
        cat.TG_PHOTO_POST,
        cat.TG_DELETED_POST,
        cat.FB_GROUP_POST,
        cat.FB_UNAVAILABLE,
        cat.IG_POST,
        cat.YT_VIDEO,
        cat.YT_NO_EMBED,
        cat.YT_DELETED,
    ]
    ids = add_sources(home.database_url, home.path, urls)
    for _ in range(3):
        _check(home, web)
    states = _sources(cli)

    def state(url: str) -> tuple[str, str | None, bool]:
        s = states[ids[url]]
        return s["state"], s["suspected"], s["has_evidence"]

    assert state(cat.TG_TEXT_POST) == ("live", None, True)
    assert state(cat.TG_PHOTO_POST) == ("live", None, True)
    assert state(cat.TG_DELETED_POST)[:2] == ("gone", None)  # though the page answers 200
    assert state(cat.FB_GROUP_POST) == ("walled", None, False)  # never gone
    # "Content isn't available" to an anonymous visitor: suspected, never confirmed.
    assert state(cat.FB_UNAVAILABLE)[:2] == ("pending", "gone")
    # Redirected to /accounts/login: walled; the captioned embed is evidence of the content.
    assert state(cat.IG_POST) == ("walled", None, True)
    assert state(cat.YT_VIDEO) == ("live", None, True)
    assert state(cat.YT_NO_EMBED)[:2] == ("live", None)  # oEmbed 401 is not deletion
    assert state(cat.YT_DELETED)[:2] == ("gone", None)

    tg_checks, tg_changes = _history(ids[cat.TG_DELETED_POST])
    assert tg_checks[0].evidence["status"] == 200
    assert tg_checks[0].evidence["marker"] == "tgme_widget_message_error"
    photo = _history(ids[cat.TG_PHOTO_POST])[0][0].evidence
    assert photo["media"] == 1 and photo["views"] > 0
    assert _history(ids[cat.YT_DELETED])[0][0].evidence["marker"] == "oembed 404"
    # The photo was fetched from the CDN as part of each capture (CDN links expire).
    assert web.hits(telegram.media_url(cat.TG_PHOTO_POST, "jpg")) >= 3
