"""The ``sourcekeep`` command line (typer + rich).

Exit codes: 0 success, 1 the command ran but found problems it was asked to fail on,
2 bad input or usage. User errors print one line, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from provenance.db import DatabaseError
from scheduler.cli.common import EXIT_USAGE, UserError, err_console

app = typer.Typer(
    name="sourcekeep",
    help="Keep every footnoted source of a chronicle verifiable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Data directory for every command (or $SOURCEKEEP_HOME)."),
    ] = None,
) -> None:
    """Keep every footnoted source of a chronicle verifiable."""
    if home is not None:
        os.environ["SOURCEKEEP_HOME"] = str(home)


def _register() -> None:
    from scheduler.cli import ingest_cmds, nightly_cmds

    ingest_cmds.register(app)
    nightly_cmds.register(app)
    from scheduler.cli import archive_cmds

    archive_cmds.register(app)
    from scheduler.cli import liveness_cmds

    liveness_cmds.register(app)


_register()


def main() -> None:
    """Console-script entry point: run the app, turning user errors into one-line messages.

    Usage errors are reported by typer itself (standalone mode, exit 2); errors in the
    user's input raised by commands end here as one line on stderr.
    """
    try:
        app()
    except (UserError, DatabaseError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(getattr(exc, "exit_code", EXIT_USAGE))
    except KeyboardInterrupt:
        err_console.print("[bold red]error:[/] interrupted")
        sys.exit(130)
