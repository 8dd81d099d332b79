"""Commands: ingest, chronicles, citations."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def chronicles() -> None:
        """List stored chronicles."""
        raise NotImplementedError
