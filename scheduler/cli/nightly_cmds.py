"""Command: nightly (the unattended service: archive, then check)."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from provenance.config import load_settings
from scheduler.cli.common import EXIT_PROBLEMS, JsonOption, UserError, print_json, print_table


def register(app: typer.Typer) -> None:
    @app.command()
    def nightly(
        once: Annotated[bool, typer.Option("--once", help="Run once now and exit.")] = False,
        at: Annotated[str, typer.Option("--at", help="Time of the nightly run, HH:MM.")] = "02:30",
        json_out: JsonOption = False,
    ) -> None:
        """Archive every source without a good capture, then re-check all sources.

        Without --once, stays in the foreground and runs every night at --at.
        """
        from scheduler.nightly import run_once, serve

        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", at):
            raise UserError(f"--at wants a time as HH:MM, got {at!r}")
        home = load_settings().home
        if not once:
            serve(home, at=at)
            return
        result = run_once(home)
        if json_out:
            print_json(
                {
                    "started_at": result.started_at,
                    "finished_at": result.finished_at,
                    "ok": result.ok,
                    "steps": [
                        {
                            "command": s.name,
                            "exit_code": s.exit_code,
                            "summary": s.summary,
                            "error": s.error,
                        }
                        for s in result.steps
                    ],
                }
            )
        else:
            print_table(
                "nightly run",
                ["step", "exit", "result"],
                [(s.name, s.exit_code, s.error or "ok") for s in result.steps],
            )
        if not result.ok:
            raise typer.Exit(EXIT_PROBLEMS)
