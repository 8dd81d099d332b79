"""Running one crawl in this process: Scrapy's CrawlerProcess on the asyncio reactor.

The Twisted reactor cannot be restarted, so a process runs at most one crawl.
"""

from __future__ import annotations

from http.cookiejar import MozillaCookieJar
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from crawler.pipeline import Sink
from crawler.settings import CrawlOptions
from crawler.spider import SourceSpider, Target


def crawl(
    targets: list[Target],
    options: CrawlOptions,
    sink: Sink,
    log_file: Path | None = None,
    session: MozillaCookieJar | None = None,
) -> str:
    """Fetch and store every target; returns Scrapy's finish reason (``finished`` when the
    crawl ran to its end, ``shutdown`` when interrupted). ``session``: cookies.txt cookies
    sent to the hosts they cover (``crawler.cookies``)."""
    settings: dict[str, Any] = options.scrapy_settings()
    settings["ITEM_PIPELINES"] = {"crawler.pipeline.StorePipeline": 300}
    settings["RETRY_GIVE_UP_LOG_LEVEL"] = "INFO"
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        settings["LOG_FILE"] = str(log_file)
        settings["LOG_LEVEL"] = "INFO"
    settings["LOG_INSTALL_ROOT_HANDLER"] = log_file is not None
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SourceSpider)
    process.crawl(
        crawler,
        targets=targets,
        proxy=options.proxy,
        allow_private=options.allow_private,
        sink=sink,
        session=session,
    )
    process.start()
    stats = crawler.stats
    reason = stats.get_value("finish_reason") if stats is not None else None
    return str(reason or "unknown")
