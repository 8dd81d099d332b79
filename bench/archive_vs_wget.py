"""Benchmark: ``sourcekeep archive`` against ``wget --warc-file`` on the same 1000 pages.

Both fetch the same URL list (1000 article pages of about 30 KB on 10 hosts of the fixture web,
over HTTPS through its proxy on loopback), one after the other in the same run, with politeness
off. Reported for each: wall time, pages per second, and peak resident memory of the whole
process tree (sampled from /proc every 20 ms) and of the main process.

sourcekeep's time is split in two: fetch + WARC + hashes (until the last capture row was
committed) and the end of the process (text extraction finished, conversion records written).

Usage: ``.venv/bin/python bench/archive_vs_wget.py [--pages 1000] [--out bench/out]``.
Not a test: it prints a Markdown table for BENCHMARKS.md. Needs ``wget`` (apt-get install wget).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from bench.pages import HOSTS, benchmark_urls, fresh_dir  # noqa: E402
from provenance.db import create_db_engine  # noqa: E402
from tests.archive_support import add_sources  # noqa: E402
from tests.fixtureweb import FixtureWeb  # noqa: E402

PAGE_SIZE = 30_000


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


def _thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) of each thread of a process, by thread id."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return out
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        out[int(task)] = (int(fields[11]) + int(fields[12])) / tick
    return out


@dataclass
class Measured:
    seconds: float
    peak_tree_mb: float
    peak_main_mb: float
    returncode: int
    stdout: str
    # (seconds since start, CPU seconds of the main thread, of all its other threads)
    cpu: list[tuple[float, float, float]] = field(default_factory=list)

    def cpu_at(self, seconds: float) -> tuple[float, float]:
        """CPU seconds of the main thread and of the other threads at the last reading
        before ``seconds`` after the start."""
        before = [(m, o) for t, m, o in self.cpu if t <= seconds]
        return before[-1] if before else (0.0, 0.0)


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path) -> Measured:
    start = time.monotonic()
    with open(cwd / "stderr.log", "wb") as err:
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=err, text=True
        )
    peaks = {"tree": 0, "main": 0}
    threads: dict[int, float] = {}
    cpu: list[tuple[float, float, float]] = []

    def sample() -> None:
        while proc.poll() is None:
            tree = sum(_rss_kb(p) for p in _tree(proc.pid))
            peaks["tree"] = max(peaks["tree"], tree)
            peaks["main"] = max(peaks["main"], _rss_kb(proc.pid))
            threads.update(_thread_cpu(proc.pid))  # ended threads keep their last reading
            main = threads.get(proc.pid, 0.0)
            cpu.append((time.monotonic() - start, main, sum(threads.values()) - main))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    elapsed = time.monotonic() - start
    sampler.join()
    return Measured(elapsed, peaks["tree"] / 1024, peaks["main"] / 1024, proc.returncode, stdout,
                    cpu)


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as fh:
        mem_kb = int(fh.readline().split()[1])
    memory = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    return f"{os.cpu_count()} CPUs ({cpu}), {memory}, {platform.platform()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--profile", type=Path, default=None,
        help="record a py-spy profile (collapsed stacks) of the sourcekeep process tree here",
    )
    parser.add_argument(
        "--gil", action="store_true",
        help="with --profile: sample only the thread holding the GIL (who holds it when)",
    )
    args = parser.parse_args()
    wget = shutil.which("wget")
    if wget is None:
        sys.exit("wget is missing: apt-get install -y wget")

    out: Path = fresh_dir(args.out)
    urls = benchmark_urls(args.pages)
    (out / "urls.txt").write_text("\n".join(urls) + "\n", encoding="ascii")

    with FixtureWeb(page_size=PAGE_SIZE, directory=out / "fixtureweb") as web:
        base = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        base.update(web.env())

        # -- wget ---------------------------------------------------------------------------
        wget_dir = out / "wget"
        wget_dir.mkdir()
        wget_run = run_measured(
            [wget, "--quiet", "--no-check-certificate", "-e", "robots=off", "--tries=1",
             "--warc-file=" + str(wget_dir / "wget"), "--warc-max-size=1G",
             "-O", "/dev/null", "-i", str(out / "urls.txt")],
            base,
            wget_dir,
        )
        wget_sent = len(web.responses_for())
        wget_connects = len(web.connects())
        web.reset()

        # -- sourcekeep ---------------------------------------------------------------------
        home = out / "sourcekeep"
        database_url = f"sqlite:///{home / 'sourcekeep.db'}"
        add_sources(database_url, home, urls)
        env = dict(base)
        env.update(
            SOURCEKEEP_HOME=str(home),
            SOURCEKEEP_DATABASE_URL=database_url,
            SOURCEKEEP_POLITE="0",
            SOURCEKEEP_CONCURRENCY=str(args.concurrency),
            SOURCEKEEP_RETRIES="0",
        )
        started = dt.datetime.now(dt.UTC)
        command = [str(REPO / ".venv" / "bin" / "sourcekeep"), "archive", "--json"]
        if args.profile is not None:
            # py-spy's own memory then counts in the tree; profile and measure separately
            command = [str(REPO / ".venv" / "bin" / "py-spy"), "record", "--subprocesses",
                       "--threads", "--rate", "250", "--format", "raw",
                       *(["--gil"] if args.gil else []),
                       "-o", str(args.profile.resolve()), "--", *command]
        sk_run = run_measured(command, env, home)
        # the JSON summary ends the output (py-spy, when profiling, prints before it)
        start_json = sk_run.stdout.find("{")
        if sk_run.returncode != 0 or start_json < 0:
            sys.exit(f"sourcekeep archive failed (exit {sk_run.returncode}): see {home}")
        summary, _end = json.JSONDecoder().raw_decode(sk_run.stdout[start_json:])
        engine = create_db_engine(database_url)
        with engine.connect() as conn:
            last = conn.execute(sa.text("SELECT max(finished_at) FROM capture")).scalar_one()
            texts = conn.execute(
                sa.text("SELECT count(*) FROM capture WHERE text_sha256 IS NOT NULL")
            ).scalar_one()
        engine.dispose()
        sk_connects = len(web.connects())
        # start-up: from launching the process to the first request the fixture web saw
        first_request = min(r.received_at for r in web.requests_for()) - started.timestamp()
        last_commit = dt.datetime.fromisoformat(str(last)).replace(tzinfo=dt.UTC)
        fetch_seconds = (last_commit - started).total_seconds()

    wget_rate = args.pages / wget_run.seconds
    sk_rate = args.pages / fetch_seconds
    print(f"machine: {machine()}")
    print(f"pages: {args.pages} x ~{PAGE_SIZE // 1000} KB on {HOSTS} hosts, HTTPS via proxy")
    print(f"wget exit {wget_run.returncode}, responses sent to wget: {wget_sent}")
    print(f"sourcekeep summary: {summary}, texts extracted: {texts}")
    # every tunnel is one CONNECT and one TLS handshake: the connections each client opened
    print(f"CONNECT tunnels (TLS handshakes): wget {wget_connects}, sourcekeep {sk_connects}")
    print(f"sourcekeep start-up (process start to first request): {first_request:.2f} s")
    # CPU of the crawler process's threads (sampled every 20 ms): at the first request (start-up),
    # at the last capture commit (fetch + WARC + hashes), and at the end (texts stored too)
    marks = [("first request", first_request), ("last capture", fetch_seconds),
             ("end", sk_run.seconds)]
    print("sourcekeep CPU s, main thread / other threads (storage, pool feeders): " + ", ".join(
        f"{name} {m:.2f} / {o:.2f}" for name, at in marks for m, o in [sk_run.cpu_at(at)]
    ))
    print()
    print("| | wall s | pages/s | peak RSS tree MB | peak RSS main MB |")
    print("|---|---:|---:|---:|---:|")
    print(f"| wget --warc-file | {wget_run.seconds:.1f} | {wget_rate:.1f} | "
          f"{wget_run.peak_tree_mb:.0f} | {wget_run.peak_main_mb:.0f} |")
    print(f"| sourcekeep fetch+WARC+hashes | {fetch_seconds:.1f} | {sk_rate:.1f} | | |")
    print(f"| sourcekeep incl. text extraction | {sk_run.seconds:.1f} | "
          f"{args.pages / sk_run.seconds:.1f} | {sk_run.peak_tree_mb:.0f} | "
          f"{sk_run.peak_main_mb:.0f} |")
    print()
    print(f"ratio fetch pages/s sourcekeep / wget: {sk_rate / wget_rate:.2f}")
    print(f"extraction finished at {sk_run.seconds / fetch_seconds:.2f}x the fetch time")


if __name__ == "__main__":
    main()
