"""The command line as a user meets it: usage errors, the data home, the nightly job."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provenance.states import SourceState
from tests.archive_support import TEST_ENV
from tests.conftest import Home, run_in_process, run_subprocess
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb import catalogue as cat

ARTICLE = "https://rus.azattyq.org/a/32929363.html"

CHRONICLE = f"""Нажмите "Enter" для перехода к содержанию

May 1, Almaty, the photo exhibition was opened[1].

May 2, Shymkent, journalist N. was fined 73840 tenge[2].

On May 3, in Astana, a post was deleted[3].

[1] {ARTICLE}

[2] {cat.STATUS_404}

[3] {cat.TG_DELETED_POST}

Поделись, чтобы люди узнали:
"""


@pytest.mark.parametrize(
    "args",
    [["no-such-command"], ["archive", "--concurrency", "many"], ["citations"], ["--bogus"]],
)
def test_usage_errors_exit_2_without_a_traceback(home: Home, args: list[str]) -> None:
    result = run_subprocess(*args, env=home.env())
    assert result.code == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip()


def test_home_given_before_the_command_holds_the_database(tmp_path: Path) -> None:
    """Without SOURCEKEEP_DATABASE_URL, the database is an SQLite file in the home."""
    other = tmp_path / "elsewhere"
    source = tmp_path / "2024-05-chronicle.txt"
    source.write_text(CHRONICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCEKEEP_")}
    env["SOURCEKEEP_HOME"] = str(tmp_path / "not-this-one")
    result = run_subprocess("--home", str(other), "ingest", str(source), "--json", env=env)
    assert result.code == 0, result.stderr
    assert (other / "sourcekeep.db").is_file()
    assert not (tmp_path / "not-this-one").exists()
    listed = run_subprocess("--home", str(other), "chronicles", "--json", env=env)
    assert [c["slug"] for c in listed.json()["chronicles"]] == [result.json()["chronicle"]["slug"]]


@pytest.mark.slow
def test_nightly_once_archives_then_checks(
    home: Home, fresh_fixture_web: FixtureWeb, tmp_path: Path
) -> None:
    source = tmp_path / "2024-05-chronicle.txt"
    source.write_text(CHRONICLE, encoding="utf-8")
    assert run_in_process("ingest", str(source)).code == 0

    env = {**home.env(), **fresh_fixture_web.env(), **TEST_ENV}
    result = run_subprocess("nightly", "--once", "--json", env=env, timeout=300)
    summary = json.loads(result.stdout)
    assert [step["command"] for step in summary["steps"]] == ["archive", "check"]
    archive, check = summary["steps"]
    assert archive["exit_code"] == 0, archive["error"]
    assert archive["summary"]["fetched"] == 3
    assert archive["summary"]["outcomes"] == {"captured": 2, "http_error": 1}
    assert check["exit_code"] == 0, check["error"]
    assert check["summary"]["checked"] == 3
    assert result.code == 0 and summary["ok"] is True

    # the cited article really was fetched twice through the proxy: once per step
    assert fresh_fixture_web.hits(ARTICLE) == 2
    states = {s["url"]: s for s in run_in_process("sources", "--json").json()["sources"]}
    assert states[ARTICLE]["state"] == SourceState.LIVE
    assert states[ARTICLE]["has_evidence"] is True
    assert states[cat.STATUS_404]["suspected"] == SourceState.GONE
    assert states[cat.TG_DELETED_POST]["suspected"] == SourceState.GONE


@pytest.mark.slow
def test_archive_of_a_chronicle_includes_footnotes_no_marker_points_to(
    home: Home, fresh_fixture_web: FixtureWeb, tmp_path: Path
) -> None:
    orphan = "https://vlast.kz/novosti/60099-orphan.html"
    source = tmp_path / "2024-05-chronicle.txt"
    source.write_text(CHRONICLE.replace("Поделись", f"[4] {orphan}\n\nПоделись"), "utf-8")
    ingested = run_in_process("ingest", str(source), "--json").json()
    assert [p["footnote"] for p in ingested["problems"] if p["kind"] == "unused_footnote"] == [4]

    env = {**home.env(), **fresh_fixture_web.env(), **TEST_ENV}
    result = run_subprocess("archive", ingested["chronicle"]["slug"], "--json", env=env)
    assert result.code == 0, result.stderr
    assert result.json()["planned"] == 4
    assert fresh_fixture_web.hits(orphan) == 1
