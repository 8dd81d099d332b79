"""The ``sourcekeep`` console script, kept apart from the command modules.

Text-extraction workers are started with ``spawn``, which re-imports the script that started
the parent; importing only this module there keeps Scrapy, SQLAlchemy and the command
modules out of every worker.
"""

from __future__ import annotations


def main() -> None:
    from scheduler.cli import main as cli_main

    cli_main()
