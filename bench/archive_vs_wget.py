"""Benchmark: ``sourcekeep archive`` against ``wget --warc-file`` on the same 1000 pages.

Every client fetches the same URL list (1000 article pages of about 30 KB on 10 hosts of the
fixture web, over HTTPS through its proxy on loopback), one after the other in the same run,
with politeness off. First an unmeasured wget pass over the whole list: the fixture web
generates each page and mints each host's certificate on its first request, work (about
1.2 s of its CPU) that would otherwise slow down whichever client comes first. Then, measured:

- ``wget --warc-file``: the reference;
- ``wget`` without a WARC: what downloading alone costs wget;
- Scrapy alone: a bare Scrapy spider with the default HTTP/1.1 handler, no storage, no
  extraction (``bench/download_stacks.py``'s ``http11`` stack): the most any archiver built
  on Scrapy could reach on this machine;
- ``sourcekeep archive``, its time split in two: fetch + WARC + hashes (until the last
  capture row was committed) and the end of the process (text extraction finished,
  conversion records written).

Reported for each: wall time, pages per second and the ratio to wget's, and peak resident
memory of the whole process tree (sampled from /proc every 20 ms) and of the main process.

Usage: ``.venv/bin/python bench/archive_vs_wget.py [--pages 1000] [--runs 3] [--out bench/out]``.
Not a test: it prints Markdown tables for BENCHMARKS.md. Needs ``wget`` (apt-get install wget).
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

from bench.pages import HOSTS, fresh_dir, write_url_list  # noqa: E402
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


WGET = ["--quiet", "--no-check-certificate", "-e", "robots=off", "--tries=1", "-O", "/dev/null"]


@dataclass
class Round:
    """One run of every client over the same URL list."""

    wget_warc: Measured
    wget_plain: Measured
    scrapy: Measured
    sourcekeep: Measured
    fetch_seconds: float  # sourcekeep: process start to the last capture row committed
    first_request: float  # sourcekeep: process start to the first request the web saw
    texts: int
    summary: dict[str, object]
    tunnels: dict[str, int]


def run_round(web: FixtureWeb, base: dict[str, str], urls: list[str], url_file: Path,
              out: Path, args: argparse.Namespace) -> Round:
    wget = shutil.which("wget") or "wget"
    tunnels: dict[str, int] = {}

    def measured(name: str, cmd: list[str], env: dict[str, str], cwd: Path) -> Measured:
        web.reset()
        cwd.mkdir(parents=True, exist_ok=True)
        result = run_measured(cmd, env, cwd)
        tunnels[name] = len(web.connects())
        if result.returncode != 0:
            sys.exit(f"{name} failed (exit {result.returncode}): see {cwd}")
        return result

    wget_dir = out / "wget"
    wget_warc = measured(
        "wget --warc-file",
        [wget, *WGET, "--warc-file=" + str(wget_dir / "wget"), "--warc-max-size=1G",
         "-i", str(url_file)],
        base, wget_dir,
    )
    wget_plain = measured("wget", [wget, *WGET, "-i", str(url_file)], base, out / "wget-plain")
    scrapy = measured(
        "Scrapy alone",
        [sys.executable, str(REPO / "bench" / "download_stacks.py"), "--child", "http11",
         "--urls", str(url_file), "--concurrency", str(args.concurrency)],
        base, out / "scrapy",
    )
    if json.loads(scrapy.stdout.strip().splitlines()[-1])["ok"] != len(urls):
        sys.exit(f"Scrapy alone did not fetch every page: {scrapy.stdout[-300:]}")

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
    sk_run = measured("sourcekeep", command, env, home)
    # the JSON summary ends the output (py-spy, when profiling, prints before it)
    start_json = sk_run.stdout.find("{")
    if start_json < 0:
        sys.exit(f"sourcekeep archive printed no summary: see {home}")
    summary, _end = json.JSONDecoder().raw_decode(sk_run.stdout[start_json:])
    engine = create_db_engine(database_url)
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT max(finished_at) FROM capture")).scalar_one()
        texts = conn.execute(
            sa.text("SELECT count(*) FROM capture WHERE text_sha256 IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    first_request = min(r.received_at for r in web.requests_for()) - started.timestamp()
    last_commit = dt.datetime.fromisoformat(str(last)).replace(tzinfo=dt.UTC)
    return Round(wget_warc, wget_plain, scrapy, sk_run, (last_commit - started).total_seconds(),
                 first_request, texts, summary, tunnels)


def report(number: int, r: Round, pages: int) -> list[str]:
    """Print what one round saw; return its rows of the summary table."""
    reference = pages / r.wget_warc.seconds

    def rate(seconds: float) -> str:
        return f"{pages / seconds:.1f} | {pages / seconds / reference:.2f}×"

    print(f"round {number}: load average (1/5 min) {os.getloadavg()[0]:.2f} / "
          f"{os.getloadavg()[1]:.2f}")
    print(f"  sourcekeep summary: {r.summary}, texts extracted: {r.texts}")
    # every tunnel is one CONNECT and one TLS handshake: the connections each client opened
    print("  CONNECT tunnels (TLS handshakes): "
          + ", ".join(f"{name} {n}" for name, n in r.tunnels.items()))
    print(f"  sourcekeep start-up (process start to first request): {r.first_request:.2f} s")
    # CPU of the crawler process's threads (sampled every 20 ms): at the first request
    # (start-up), at the last capture commit (fetch + WARC + hashes), and at the end
    marks = [("first request", r.first_request), ("last capture", r.fetch_seconds),
             ("end", r.sourcekeep.seconds)]
    print("  sourcekeep CPU s, main thread / other threads: " + ", ".join(
        f"{name} {m:.2f} / {o:.2f}" for name, at in marks for m, o in [r.sourcekeep.cpu_at(at)]
    ))
    sk = r.sourcekeep
    return [
        f"| {number} | wget --warc-file | {r.wget_warc.seconds:.2f} | {rate(r.wget_warc.seconds)}"
        f" | {r.wget_warc.peak_tree_mb:.0f} |",
        f"| {number} | wget, no WARC | {r.wget_plain.seconds:.2f} | {rate(r.wget_plain.seconds)}"
        f" | {r.wget_plain.peak_tree_mb:.0f} |",
        f"| {number} | Scrapy alone, no storage | {r.scrapy.seconds:.2f} | "
        f"{rate(r.scrapy.seconds)} | {r.scrapy.peak_tree_mb:.0f} |",
        f"| {number} | sourcekeep fetch + WARC + hashes | {r.fetch_seconds:.2f} | "
        f"{rate(r.fetch_seconds)} | |",
        f"| {number} | sourcekeep incl. text extraction ({sk.seconds / r.fetch_seconds:.2f}× "
        f"its fetch time) | {sk.seconds:.2f} | {rate(sk.seconds)} | "
        f"{sk.peak_tree_mb:.0f} (main {sk.peak_main_mb:.0f}) |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="rounds of every client")
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
    if shutil.which("wget") is None:
        sys.exit("wget is missing: apt-get install -y wget")

    out: Path = fresh_dir(args.out)
    urls, url_file = write_url_list(out, args.pages)
    print(f"machine: {machine()}")
    print(f"pages: {args.pages} x ~{PAGE_SIZE // 1000} KB on {HOSTS} hosts, HTTPS via proxy")

    rows: list[str] = []
    with FixtureWeb(page_size=PAGE_SIZE, directory=out / "fixtureweb") as web:
        base = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        base.update(web.env())
        # warm-up, not measured: every page generated, every certificate minted
        warm = run_measured([shutil.which("wget") or "wget", *WGET, "-i", str(url_file)],
                            base, out)
        print(f"warm-up wget pass (not measured): {warm.seconds:.2f} s")
        for number in range(1, args.runs + 1):
            rows += report(number, run_round(web, base, urls, url_file,
                                             fresh_dir(out / f"round-{number}"), args),
                           args.pages)
    print()
    print("| round | client | wall s | pages/s | vs wget --warc-file | peak RSS tree MB |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
