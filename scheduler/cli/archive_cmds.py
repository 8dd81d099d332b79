"""Command: archive (capture every source that has no good capture yet)."""

from __future__ import annotations

from http.cookiejar import MozillaCookieJar
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from crawler.cookies import COOKIES_ENV, HOME_FILE, CookiesError, session_from
from crawler.settings import CrawlOptions, SettingError
from provenance.states import FetchOutcome, RunStatus
from scheduler.cli.common import (
    EXIT_PROBLEMS,
    HomeOption,
    JsonOption,
    UserError,
    engine_for,
    err_console,
    print_failures,
    print_json,
    print_table,
    print_texts_finished,
    settings_for,
)

CookiesOption = Annotated[
    Path | None,
    typer.Option(
        "--cookies",
        help=f"Netscape cookies.txt of a logged-in session, sent to the hosts it covers "
        f"(default: ${COOKIES_ENV}, else {HOME_FILE} in the data home if present). The "
        "Cookie header is redacted in the archive.",
    ),
]


def load_session(cookies: Path | None, home: Path | None) -> MozillaCookieJar | None:
    """The cookies.txt session for a run (None without one); a file that cannot be used is a
    one-line user error, raised before anything is written."""
    try:
        return session_from(cookies, settings_for(home).home)
    except CookiesError as exc:
        raise UserError(str(exc)) from exc


def _check_proxy(proxy: str | None) -> None:
    if proxy is None:
        return
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    try:
        port = parts.port
    except ValueError as exc:
        raise UserError(f"--proxy: bad port in {proxy!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise UserError(f"--proxy wants http://HOST:PORT, got {proxy!r}")


def register(app: typer.Typer) -> None:
    @app.command()
    def archive(
        chronicles: Annotated[
            list[str] | None,
            typer.Argument(help="Chronicles (id or slug) whose sources to capture; all if none."),
        ] = None,
        proxy: Annotated[
            str | None, typer.Option("--proxy", help="HTTP proxy for every request.")
        ] = None,
        limit: Annotated[
            int | None, typer.Option("--limit", help="Capture at most this many sources.")
        ] = None,
        user_agent: Annotated[
            str | None,
            typer.Option("--user-agent", help="User-Agent to send (default names sourcekeep)."),
        ] = None,
        max_size: Annotated[
            int | None,
            typer.Option("--max-size", help="Bytes of payload kept per response."),
        ] = None,
        concurrency: Annotated[
            int | None, typer.Option("--concurrency", help="Requests in flight in total.")
        ] = None,
        timeout: Annotated[
            float | None, typer.Option("--timeout", help="Seconds per download.")
        ] = None,
        cookies: CookiesOption = None,
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """Capture every cited source that has no good capture yet into WARC files.

        Politeness, limits and safety settings are documented in crawler/settings.py and
        read from SOURCEKEEP_* environment variables; the options here override them.
        """
        from scheduler.archiving import ArchiveInputError, run_archive
        from scheduler.locks import RunLocked

        _check_proxy(proxy)
        for name, value in (
            ("--limit", limit),
            ("--max-size", max_size),
            ("--concurrency", concurrency),
            ("--timeout", timeout),
        ):
            if value is not None and value <= 0:
                raise UserError(f"{name} must be positive, got {value}")
        try:
            options = CrawlOptions.from_env(
                proxy=proxy,
                user_agent=user_agent,
                max_size=max_size,
                concurrency=concurrency,
                timeout=timeout,
            )
        except SettingError as exc:
            raise UserError(str(exc)) from exc
        session = load_session(cookies, home)
        settings, engine = engine_for(home)
        progress = None if json_out else _progress()
        task = None
        counts: dict[str, int] = {}

        def planned(total: int) -> None:
            nonlocal task
            if progress is not None:
                progress.start()
                task = progress.add_task("archiving", total=total, outcomes="")

        def one(outcome: FetchOutcome) -> None:
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
            if progress is not None and task is not None:
                text = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
                progress.update(task, advance=1, outcomes=text)

        try:
            summary = run_archive(
                settings,
                engine,
                options,
                chronicles=chronicles or [],
                limit=limit,
                on_planned=planned,
                on_source=one,
                cookies=session,
            )
        except ArchiveInputError as exc:
            raise UserError(str(exc)) from exc
        except RunLocked as exc:
            raise UserError(str(exc)) from exc
        finally:
            if progress is not None:
                progress.stop()
        if json_out:
            print_json(summary.as_json())
        else:
            rows = [(name, n) for name, n in sorted(summary.outcomes.items())]
            print_table(
                f"archive run {summary.run_id}: {summary.fetched} of {summary.planned} "
                f"sources ({summary.status})",
                ["outcome", "sources"],
                rows,
            )
            for repair in summary.repairs:
                if repair.cut:
                    err_console.print(
                        f"repaired {repair.filename}: cut {repair.cut} bytes of a torn tail"
                    )
            print_texts_finished(summary.texts_finished)
            if summary.cut_at_size_cap:
                err_console.print(
                    f"not fetched again: {summary.cut_at_size_cap} sources whose capture was "
                    f"cut at the size cap ({options.max_size} bytes; raise SOURCEKEEP_MAX_SIZE "
                    "to capture them whole)",
                    soft_wrap=True,
                )
        if summary.status is not RunStatus.FINISHED:
            print_failures(summary.failures)
            raise typer.Exit(EXIT_PROBLEMS)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[outcomes]}"),
        console=err_console,
        transient=False,
    )
