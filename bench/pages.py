"""The page set every benchmark fetches: the same URLs, grouped by host."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.fixtureweb.sites import SITES

HOSTS = 10


def benchmark_urls(pages: int, hosts: int = HOSTS) -> list[str]:
    """``pages`` article URLs on the first ``hosts`` fixture hosts, grouped by host (so a
    client that fetches one URL at a time can keep its connection to a host alive)."""
    names = sorted(SITES)[:hosts]
    return [
        f"https://{names[i * hosts // pages]}/bench/article-{i:05d}.html" for i in range(pages)
    ]


def fresh_dir(out: Path) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out


def write_url_list(out: Path, pages: int) -> tuple[list[str], Path]:
    """The benchmark URLs, also written one per line to ``out/urls.txt`` (for wget's -i)."""
    urls = benchmark_urls(pages)
    url_file = out / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="ascii")
    return urls, url_file
