"""Experiment: how fast do Scrapy's download handlers fetch the benchmark pages, against wget?

The fixture web serves 1000 article pages of about 30 KB on 10 hosts over HTTPS through its
proxy on loopback (as ``bench/archive_vs_wget.py`` does). Each stack fetches the same URL list
in its own child process with a minimal Scrapy spider (no pipelines, no storage, politeness
off, 16 requests in flight, no retries), differing only in ``DOWNLOAD_HANDLERS["https"]``:

- ``http11``: Scrapy's default HTTP/1.1 handler (Twisted, TLS through pyOpenSSL);
- ``aiohttp``: ``scrapy.core.downloader.handlers._aiohttp`` (stdlib ssl, C HTTP parser);
- ``httpx``: ``scrapy.core.downloader.handlers._httpx`` (httpx2/httpcore2, stdlib ssl, h11);

plus ``wget`` over the same list (no WARC: this measures downloading only). A stack that is
not installed or does not fetch every page through the proxy is reported as failed.

Reported per stack and run: wall time of the child process and pages/s on it; for the Scrapy
stacks also the fetch window (first request to last response, inside the process, i.e.
without interpreter start-up and imports); the ratio to wget's wall-time rate in the same
run; the client's CPU time (user + system) and, for the Scrapy stacks, the part of it spent
in the fetch window; and the CONNECT tunnels (TLS handshakes) the fixture web saw. The order
of the clients rotates from run to run; one unmeasured wget pass first lets the fixture web
mint its certificates.

Usage: ``.venv/bin/python bench/download_stacks.py [--pages 1000] [--runs 3]``.
Not a test: it prints Markdown tables for BENCHMARKS.md. Needs ``wget``, and aiohttp and
httpx2 in the virtualenv for those stacks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PAGE_SIZE = 30_000
HANDLERS = {
    "http11": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "aiohttp": "scrapy.core.downloader.handlers._aiohttp.AiohttpDownloadHandler",
    "httpx": "scrapy.core.downloader.handlers._httpx.HttpxDownloadHandler",
}
STACKS = ("wget", *HANDLERS)


# -- child: one Scrapy crawl with one download handler ------------------------------------


def crawl(stack: str, url_file: Path, concurrency: int) -> dict[str, Any]:
    """Fetch every URL of ``url_file`` with the handler of ``stack``; return counts and times."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = url_file.read_text(encoding="ascii").split()
    seen: dict[str, Any] = {"ok": 0, "bytes": 0, "failed": [], "first": None, "last": None}

    class Fetch(scrapy.Spider):
        name = "fetch"

        async def start(self):  # type: ignore[no-untyped-def]
            seen["first"] = time.monotonic()
            seen["cpu_first"] = time.process_time()
            for url in urls:
                yield scrapy.Request(url, callback=self.got, errback=self.failed,
                                     dont_filter=True)

        def got(self, response: scrapy.http.Response) -> None:
            seen["last"] = time.monotonic()
            seen["cpu_last"] = time.process_time()
            if response.status == 200:
                seen["ok"] += 1
                seen["bytes"] += len(response.body)
            else:
                seen["failed"].append(f"{response.url}: HTTP {response.status}")

        def failed(self, failure: Any) -> None:
            seen["last"] = time.monotonic()
            seen["cpu_last"] = time.process_time()
            seen["failed"].append(f"{failure.request.url}: {failure.value!r}")

    process = CrawlerProcess(
        settings={
            "LOG_LEVEL": "ERROR",
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "CONCURRENT_ITEMS": 4,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "RETRY_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "DOWNLOADER_STATS": False,
            "DOWNLOAD_HANDLERS": {"https": HANDLERS[stack], "http": HANDLERS[stack]},
        }
    )
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor

    def begin() -> None:
        # aiohttp's session wants a running event loop when the handler is made
        done = process.crawl(Fetch)
        done.addBoth(lambda _: reactor.stop())  # type: ignore[attr-defined]

    reactor.callLater(0, begin)  # type: ignore[attr-defined]
    process.start(stop_after_crawl=False)
    fetch = (seen["last"] - seen["first"]) if seen["first"] and seen["last"] else None
    fetch_cpu = seen["cpu_last"] - seen["cpu_first"] if fetch is not None else None
    return {"ok": seen["ok"], "bytes": seen["bytes"], "fetch_seconds": fetch,
            "fetch_cpu": fetch_cpu,
            "failed": seen["failed"][:3], "failures": len(seen["failed"])}


# -- parent: fixture web, runs, tables ----------------------------------------------------


@dataclass
class Result:
    stack: str
    wall: float
    ok: int
    fetch_seconds: float | None
    tunnels: int
    cpu: float  # user + system CPU seconds of the client process
    fetch_cpu: float | None = None  # of those, spent in the fetch window (Scrapy stacks)
    error: str | None = None


def run_stack(stack: str, url_file: Path, pages: int, env: dict[str, str], web: Any,
              concurrency: int, out: Path) -> Result:
    web.reset()
    if stack == "wget":
        cmd = [shutil.which("wget") or "wget", "--quiet", "--no-check-certificate",
               "-e", "robots=off", "--tries=1", "-O", "/dev/null", "-i", str(url_file)]
    else:
        cmd = [sys.executable, __file__, "--child", stack, "--urls", str(url_file),
               "--concurrency", str(concurrency)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=out, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tunnels = len(web.connects())
    if stack == "wget":
        ok = sum(1 for r in web.responses_for() if r.complete)
        error = None if proc.returncode == 0 and ok == pages else f"wget exit {proc.returncode}"
        return Result(stack, wall, ok, None, tunnels, cpu, error=error)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Result(stack, wall, 0, None, tunnels, cpu, error=f"exit {proc.returncode}: {tail}")
    summary = json.loads(lines[-1])
    error = None
    if summary["ok"] != pages:
        error = f"{summary['ok']}/{pages} pages; {summary['failures']} failed: {summary['failed']}"
    return Result(stack, wall, summary["ok"], summary["fetch_seconds"], tunnels, cpu,
                  fetch_cpu=summary["fetch_cpu"], error=error)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--stacks", default=",".join(STACKS))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "stacks")
    parser.add_argument("--child", choices=sorted(HANDLERS), help=argparse.SUPPRESS)
    parser.add_argument("--urls", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(crawl(args.child, args.urls, args.concurrency)))
        return

    from bench.archive_vs_wget import machine
    from bench.pages import HOSTS, fresh_dir, write_url_list
    from tests.fixtureweb import FixtureWeb

    stacks = [s for s in args.stacks.split(",") if s]
    unknown = set(stacks) - set(STACKS)
    if unknown:
        sys.exit(f"unknown stacks: {', '.join(sorted(unknown))} (known: {', '.join(STACKS)})")
    if "wget" not in stacks:
        sys.exit("wget is the reference: keep it in --stacks")
    if shutil.which("wget") is None:
        sys.exit("wget is missing: apt-get install -y wget")

    out: Path = fresh_dir(args.out)
    _urls, url_file = write_url_list(out, args.pages)

    print(f"machine: {machine()}")
    print(f"pages: {args.pages} x ~{PAGE_SIZE // 1000} KB on {HOSTS} hosts, HTTPS via proxy,"
          f" {args.concurrency} in flight")
    rows: list[str] = []
    with FixtureWeb(page_size=PAGE_SIZE, directory=out / "fixtureweb") as web:
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.update(web.env())
        # warm-up, not measured: the fixture web mints each host's certificate on first use
        run_stack("wget", url_file, args.pages, env, web, args.concurrency, out)
        for run in range(1, args.runs + 1):
            shift = (run - 1) % len(stacks)
            order = stacks[shift:] + stacks[:shift]
            before = load()
            results = {
                s: run_stack(s, url_file, args.pages, env, web, args.concurrency, out)
                for s in order
            }
            wget_rate = args.pages / results["wget"].wall
            print(f"run {run}: order {', '.join(order)}; load average (1/5 min) before {before},"
                  f" after {load()}")
            for stack in stacks:
                r = results[stack]
                if r.error:
                    print(f"  {stack}: FAILED ({r.error})")
                    rows.append(f"| {run} | {stack} | failed | | | | | | | {r.tunnels} |")
                    continue
                rate = args.pages / r.wall
                fetch = (f"{args.pages / r.fetch_seconds:.1f}" if r.fetch_seconds else "")
                fetch_ratio = (f"{args.pages / r.fetch_seconds / wget_rate:.2f}×"
                               if r.fetch_seconds else "")
                window_cpu = f"{r.fetch_cpu:.2f}" if r.fetch_cpu is not None else ""
                rows.append(f"| {run} | {stack} | {r.wall:.2f} | {rate:.1f} | "
                            f"{rate / wget_rate:.2f}× | {fetch} | {fetch_ratio} | "
                            f"{r.cpu:.2f} | {window_cpu} | {r.tunnels} |")
    print()
    print("| run | stack | wall s | pages/s (wall) | ratio to wget (wall) | "
          "pages/s (fetch window) | ratio to wget (fetch window) | client CPU s | "
          "of it in fetch window | tunnels |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
