"""The nightly service: archive what has no good capture yet, then re-check every source.

Each step runs as a child ``sourcekeep`` process: the crawler's Twisted reactor cannot be
restarted inside one process, and a crash in one step must not take the service down.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

STEPS: tuple[tuple[str, ...], ...] = (("archive",), ("check",))


@dataclass
class StepResult:
    name: str
    command: list[str]
    exit_code: int
    summary: dict | None
    error: str | None


@dataclass
class NightlyResult:
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    steps: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.exit_code == 0 for step in self.steps)


def _sourcekeep() -> list[str]:
    exe = Path(sys.executable).parent / "sourcekeep"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "scheduler.cli"]


def run_step(args: Sequence[str], home: Path, extra: Sequence[str] = ()) -> StepResult:
    """Run one ``sourcekeep`` command with ``--json`` in a child process and read its summary."""
    command = [*_sourcekeep(), "--home", str(home), *args, *extra, "--json"]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    summary = None
    error = None
    if proc.stdout.strip():
        try:
            summary = json.loads(proc.stdout)
        except json.JSONDecodeError:
            error = "step printed something that is not JSON"
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        error = lines[-1] if lines else f"exit code {proc.returncode}"
    return StepResult(
        name=args[0], command=command, exit_code=proc.returncode, summary=summary, error=error
    )


def run_once(home: Path, extra: Sequence[str] = ()) -> NightlyResult:
    """One nightly run: every step in order; a failed step is recorded and the next still runs."""
    result = NightlyResult(started_at=dt.datetime.now(dt.UTC))
    for step in STEPS:
        result.steps.append(run_step(step, home, extra))
    result.finished_at = dt.datetime.now(dt.UTC)
    return result


def serve(home: Path, at: str = "02:30", extra: Sequence[str] = ()) -> None:
    """Run :func:`run_once` every night at ``at`` (local time, HH:MM) until interrupted.

    Runs never overlap (one instance, coalesced), a run missed by less than an hour
    (machine asleep) still happens, and a random jitter of up to ten minutes spreads the load
    the sources see.
    """
    hour, minute = (int(part) for part in at.split(":", 1))
    scheduler = BlockingScheduler()
    scheduler.add_job(
        run_once,
        CronTrigger(hour=hour, minute=minute, jitter=600),
        args=[home, list(extra)],
        id="nightly",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.start()
