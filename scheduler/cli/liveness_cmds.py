"""Commands: check, status, sources, diff (liveness of the cited sources)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape

from provenance.db import session_scope
from provenance.drift import compare, word_diff
from provenance.evidence import first_good_capture, latest_capture
from provenance.liveness import LivenessPolicy, parse_duration
from provenance.liveness_report import (
    find_source,
    latest_check_run,
    list_sources,
    recent_changes,
    state_counts,
    suspected_counts,
)
from provenance.models import Capture, utcnow
from provenance.states import RunStatus, SourceState
from scheduler.cli.archive_cmds import CookiesOption
from scheduler.cli.common import (
    EXIT_PROBLEMS,
    HomeOption,
    JsonOption,
    UserError,
    console,
    engine_for,
    fail,
    print_failures,
    print_json,
    print_table,
    print_texts_finished,
)

STATES = ", ".join(s.value for s in SourceState)


def parse_state(text: str) -> SourceState:
    try:
        return SourceState(text.strip().lower())
    except ValueError:
        raise UserError(f"--state: unknown state {text!r} (one of: {STATES})") from None


def _since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return utcnow() - parse_duration(text)
    except ValueError as exc:
        raise UserError(f"--since: {exc}") from None


def _capture_json(capture: Capture) -> dict[str, Any]:
    return {
        "id": capture.id,
        "warc_date": capture.warc_date,
        "requested_url": capture.requested_url,
        "final_url": capture.final_url,
        "http_status": capture.http_status,
        "outcome": capture.outcome.value,
        "text_sha256": capture.text_sha256,
        "simhash": capture.simhash,
    }


def _policy(checks: int | None, after: str | None) -> LivenessPolicy:
    try:
        base = LivenessPolicy.from_env()
        return LivenessPolicy(
            confirm_checks=checks if checks is not None else base.confirm_checks,
            confirm_interval=parse_duration(after) if after else base.confirm_interval,
        )
    except ValueError as exc:
        raise UserError(f"confirmation policy: {exc}") from None


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        chronicles: Annotated[
            list[str] | None,
            typer.Argument(help="Chronicles (id or slug) whose sources to check; all if none."),
        ] = None,
        proxy: Annotated[
            str | None, typer.Option("--proxy", help="HTTP proxy for every request.")
        ] = None,
        timeout: Annotated[
            float | None, typer.Option("--timeout", min=0.1, help="Seconds per download.")
        ] = None,
        confirm_checks: Annotated[
            int | None,
            typer.Option(
                "--confirm-checks",
                min=1,
                help="Consistent 'gone' checks that confirm a deletion (default 3, "
                "$SOURCEKEEP_GONE_CHECKS).",
            ),
        ] = None,
        confirm_after: Annotated[
            str | None,
            typer.Option(
                "--confirm-after",
                help="Time those checks must span, e.g. 48h (default 48h, "
                "$SOURCEKEEP_GONE_INTERVAL).",
            ),
        ] = None,
        cookies: CookiesOption = None,
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """Re-check sources: fetch them again, classify the answer, compare the main text with
        the first good capture, and record each source's state with its evidence."""
        from crawler.settings import CrawlOptions, SettingError
        from scheduler.archiving import ArchiveInputError
        from scheduler.checking import run_check
        from scheduler.cli.archive_cmds import _check_proxy, load_session
        from scheduler.locks import RunLocked

        _check_proxy(proxy)
        policy = _policy(confirm_checks, confirm_after)
        try:
            options = CrawlOptions.from_env(proxy=proxy, timeout=timeout)
        except SettingError as exc:
            raise UserError(str(exc)) from exc
        session = load_session(cookies, home)
        settings, engine = engine_for(home)
        try:
            summary = run_check(
                settings,
                engine,
                options,
                chronicles=chronicles or [],
                policy=policy,
                cookies=session,
            )
        except (ArchiveInputError, RunLocked) as exc:
            raise UserError(str(exc)) from exc
        with session_scope(engine) as session:
            counts = state_counts(session)
            gone = recent_changes(session, [SourceState.GONE], run_id=summary.run_id)
            changed = recent_changes(session, [SourceState.CHANGED], run_id=summary.run_id)
        out = {
            "run": summary.run_id,
            "status": summary.status.value,
            "planned": summary.planned,
            "checked": summary.checked,
            "observed": dict(sorted(summary.observed.items())),
            "states": counts,
            "newly_gone": gone,
            "newly_changed": changed,
            "failures": summary.failures,
            "texts_finished": summary.texts_finished,
        }
        if json_out:
            print_json(out)
        else:
            print_table(
                f"check run {summary.run_id}: {summary.checked} of {summary.planned} checked",
                ["observed", "sources"],
                sorted(summary.observed.items()),
            )
            print_table("States now", ["state", "sources"], list(counts.items()))
            for title, items in (("Newly gone", gone), ("Newly changed", changed)):
                if items:
                    print_table(
                        title,
                        ["id", "was", "url"],
                        [(i["id"], i["old_state"], i["url"]) for i in items],
                    )
            print_texts_finished(summary.texts_finished)
            print_failures(summary.failures)
        if summary.status is not RunStatus.FINISHED:
            raise typer.Exit(EXIT_PROBLEMS)

    @app.command()
    def sources(
        state: Annotated[
            str | None, typer.Option("--state", help=f"Only sources in this state ({STATES}).")
        ] = None,
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """List sources: state, last check, and whether we hold evidence of their content."""
        wanted = parse_state(state) if state is not None else None
        _, engine = engine_for(home)
        with session_scope(engine) as session:
            rows = list_sources(session, wanted)
        if json_out:
            print_json({"sources": rows, "count": len(rows)})
            return
        print_table(
            f"{len(rows)} sources" + (f" in state {wanted.value}" if wanted else ""),
            ["id", "state", "suspected", "evidence", "platform", "last checked", "url"],
            [
                (
                    r["id"],
                    r["state"],
                    r["suspected"],
                    "yes" if r["has_evidence"] else "no",
                    r["platform"],
                    r["last_checked"].isoformat(timespec="minutes") if r["last_checked"] else "",
                    r["url"],
                )
                for r in rows
            ],
        )

    @app.command()
    def status(
        since: Annotated[
            str | None,
            typer.Option(
                "--since", help="Report changes within this long (e.g. 7d); default: last check."
            ),
        ] = None,
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """Sources per state, and the sources newly gone or changed."""
        moment = _since(since)
        _, engine = engine_for(home)
        with session_scope(engine) as session:
            counts = state_counts(session)
            suspected = suspected_counts(session)
            rows = list_sources(session)
            run = latest_check_run(session)
            scope: dict[str, Any] = {"run_id": None, "since": moment}
            if moment is None and run is not None:
                scope = {"run_id": run.id, "since": None}
            if moment is None and run is None:
                gone: list[dict[str, Any]] = []
                changed: list[dict[str, Any]] = []
            else:
                gone = recent_changes(session, [SourceState.GONE], **scope)
                changed = recent_changes(session, [SourceState.CHANGED], **scope)
        with_evidence = sum(1 for r in rows if r["has_evidence"])
        out = {
            "sources": len(rows),
            "states": counts,
            "suspected": suspected,
            "has_evidence": with_evidence,
            "without_evidence": len(rows) - with_evidence,
            "last_check_run": (
                {
                    "id": run.id,
                    "status": run.status.value,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                }
                if run
                else None
            ),
            "since": moment,
            "newly_gone": gone,
            "newly_changed": changed,
        }
        if json_out:
            print_json(out)
            return
        print_table(
            f"{len(rows)} sources",
            ["state", "sources"],
            [(k, v) for k, v in counts.items()]
            + [(f"suspected {k}", v) for k, v in suspected.items()],
        )
        console.print(f"evidence held for {with_evidence} of {len(rows)} sources", highlight=False)
        for title, items in (("Newly gone", gone), ("Newly changed", changed)):
            if items:
                print_table(
                    title,
                    ["id", "was", "since", "url"],
                    [
                        (
                            i["id"],
                            i["old_state"],
                            i["changed_at"].isoformat(timespec="minutes"),
                            i["url"],
                        )
                        for i in items
                    ],
                )

    @app.command()
    def diff(
        source: Annotated[str, typer.Argument(help="Source id or URL.")],
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """Word-level diff of a source's main text: first good capture against the latest."""
        _, engine = engine_for(home)
        with session_scope(engine) as session:
            found = find_source(session, source)
            if found is None or found.id is None:
                raise UserError(f"{source}: no such source (give its id or URL)")
            baseline = first_good_capture(session, found.id)
            latest = latest_capture(session, found.id, baseline.requested_url) if baseline else None
        if baseline is None or latest is None:
            fail(f"source {found.id} has no good capture yet", EXIT_PROBLEMS)
        old, new = baseline.text or "", latest.text or ""
        drift = compare(old, new)
        hunks = word_diff(old, new)
        if json_out:
            print_json(
                {
                    "source": {"id": found.id, "url": found.url, "state": found.state.value},
                    "baseline": _capture_json(baseline),
                    "latest": _capture_json(latest),
                    "drift": {"state": drift.state.value, **drift.evidence()},
                    "hunks": hunks,
                }
            )
            return
        console.print(
            f"source {found.id} {escape(found.url)}\n"
            f"--- first good capture {baseline.id} ({baseline.warc_date.isoformat()})\n"
            f"+++ latest capture {latest.id} ({latest.warc_date.isoformat()})",
            highlight=False,
        )
        ev = drift.evidence()
        console.print(
            f"{drift.state.value}: word ratio {ev['word_ratio']}, simhash similarity "
            f"{ev['simhash_similarity']}, +{drift.words_added} -{drift.words_removed} words",
            highlight=False,
        )
        for hunk in hunks:
            console.print("@@ " + escape(hunk), highlight=False)
