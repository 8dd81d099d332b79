"""Shared plumbing of the command line: options, errors and exit codes, JSON and tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.engine import Engine

from provenance.config import Settings, load_settings
from provenance.db import open_database

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the command ran but found problems it was asked to fail on
EXIT_USAGE = 2  # bad input or usage

console = Console()
err_console = Console(stderr=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Data directory (default: $SOURCEKEEP_HOME or per-user dir).",
        envvar="SOURCEKEEP_HOME",
        show_envvar=True,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


class UserError(Exception):
    """Bad input or usage: printed as one line, exit code 2, nothing written."""

    exit_code = EXIT_USAGE


def print_texts_finished(count: int) -> None:
    """How many owed texts an archive or check run finished from stored records."""
    if count:
        err_console.print(f"finished {count} texts of earlier captures from their stored records")


def print_failures(failures: Iterable[str]) -> None:
    """Each failure of a run on one line, its text taken literally (not as markup)."""
    for failure in failures:
        err_console.print(f"[bold red]error:[/] {escape(failure)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_for(home: Path | None) -> Settings:
    return load_settings(home)


def engine_for(home: Path | None) -> tuple[Settings, Engine]:
    settings = settings_for(home)
    return settings, open_database(settings)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_default) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)
