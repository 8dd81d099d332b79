"""Crawl settings: politeness, safety and limits, with documented defaults.

Every value can be set by the command line (``CrawlOptions`` fields) or by an environment
variable; the command line wins. Defaults are what a news site would accept from one
archiving visitor:

==============================  =========================  ================================
variable                        default                    meaning
==============================  =========================  ================================
SOURCEKEEP_CONCURRENCY          8                          requests in flight in total
SOURCEKEEP_PER_HOST             1                          requests in flight per host
SOURCEKEEP_DELAY                1.5                        seconds between requests to a
                                                           host (randomized 0.5–1.5×)
SOURCEKEEP_AUTOTHROTTLE         1                          slow down further when a host
                                                           answers slowly
SOURCEKEEP_POLITE               1                          0 turns delay, AutoThrottle and
                                                           the per-host limit off (tests,
                                                           benchmarks, own servers)
SOURCEKEEP_TIMEOUT              30                         seconds for a whole download
SOURCEKEEP_RETRIES              2                          retries on 5xx, 408, 429 and
                                                           network errors
SOURCEKEEP_RETRY_BACKOFF        2                          seconds × 2^attempt before a retry
SOURCEKEEP_RETRY_AFTER_MAX      120                        longest Retry-After waited for
SOURCEKEEP_MAX_REDIRECTS        10                         redirect hops followed
SOURCEKEEP_HOST_FAILURES        3                          DNS failures or refused
                                                           connections in a row after which
                                                           a host's other URLs are not sent
                                                           this run (0: never give up)
SOURCEKEEP_MAX_SIZE             104857600 (100 MiB)        payload bytes kept; beyond, the
                                                           record is truncated
SOURCEKEEP_USER_AGENT           sourcekeep/VERSION (+URL)  User-Agent sent
SOURCEKEEP_CONTACT_URL          project URL                contact URL in the User-Agent
SOURCEKEEP_ALLOW_PRIVATE        0                          1 allows private/loopback hosts
SOURCEKEEP_CA_BUNDLE            (none)                     extra CAs trusted when recording
                                                           whether TLS validated
SOURCEKEEP_EXTRACT_WORKERS      CPU count - 1 (at least 1) text-extraction processes
==============================  =========================  ================================

TLS certificates are never enforced (a TLS problem must not prevent archiving); whether the
chain validated is recorded with each capture. Proxies: ``http_proxy`` / ``https_proxy`` /
``no_proxy`` as usual, or ``--proxy URL`` for every request. robots.txt is not consulted:
sourcekeep fetches single pages a published document cites, as a reader's browser would.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import scrapy
from scrapy.settings.default_settings import EXTENSIONS_BASE

from crawler.breaker import THRESHOLD_SETTING as HOST_FAILURES_SETTING
from crawler.capture import MAX_SIZE_SETTING
from crawler.policy import ALLOW_PRIVATE_SETTING
from crawler.retry import BACKOFF_SETTING, RETRY_AFTER_MAX_SETTING
from crawler.wire import CA_BUNDLE_SETTING

# Scrapy's extensions without remote control and telnet, which the settings switch off anyway.
# Scrapy imports the module of every extension it lists (even one set to None in EXTENSIONS)
# before the extension declines; remote control imports aiohttp's web server (where aiohttp
# is installed) and telnet Twisted's conch: ~0.2 s of start-up.
_OFF_EXTENSIONS = (
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
)
_EXTENSIONS_BASE = {k: v for k, v in EXTENSIONS_BASE.items() if k not in _OFF_EXTENSIONS}

CONTACT_URL = "https://github.com/sourcekeep/sourcekeep"
ACCEPT_ENCODING = "gzip, deflate, br"


def sourcekeep_version() -> str:
    try:
        return version("sourcekeep")
    except PackageNotFoundError:
        return "0"


def software() -> str:
    """Software and version, as named in WARC records and runs."""
    return f"sourcekeep/{sourcekeep_version()} Scrapy/{scrapy.__version__}"


def default_user_agent(contact: str = CONTACT_URL) -> str:
    return f"sourcekeep/{sourcekeep_version()} (+{contact}; archives sources cited in chronicles)"


class SettingError(ValueError):
    """A setting with a value that makes no sense (one line for the user)."""


@dataclass(frozen=True)
class CrawlOptions:
    concurrency: int = 8
    per_host: int = 1
    delay: float = 1.5
    autothrottle: bool = True
    polite: bool = True
    timeout: float = 30.0
    retries: int = 2
    retry_backoff: float = 2.0
    retry_after_max: float = 120.0
    max_redirects: int = 10
    host_failures: int = 3
    max_size: int = 100 * 1024 * 1024
    user_agent: str | None = None
    contact_url: str = CONTACT_URL
    allow_private: bool = False
    ca_bundle: str | None = None
    proxy: str | None = None
    extract_workers: int = 0  # 0: one per CPU but one

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> CrawlOptions:
        """Defaults, then ``SOURCEKEEP_*`` variables, then the non-None ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SOURCEKEEP_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, f.type)
        options = replace(cls(), **values)
        return replace(options, **{k: v for k, v in overrides.items() if v is not None})

    def __post_init__(self) -> None:
        for name in ("concurrency", "per_host"):
            if getattr(self, name) < 1:
                raise SettingError(f"{name} must be at least 1")
        for name in ("delay", "timeout", "retry_backoff", "retry_after_max"):
            if getattr(self, name) < 0:
                raise SettingError(f"{name} must not be negative")
        for name in ("retries", "max_redirects", "max_size", "extract_workers", "host_failures"):
            if getattr(self, name) < 0:
                raise SettingError(f"{name} must not be negative")

    @property
    def agent(self) -> str:
        return self.user_agent or default_user_agent(self.contact_url)

    def scrapy_settings(self) -> dict[str, Any]:
        """The Scrapy settings these options stand for."""
        polite = self.polite
        settings: dict[str, Any] = {
            "BOT_NAME": "sourcekeep",
            "USER_AGENT": self.agent,
            # Scrapy also offers zstd where a zstd module is installed; pywb and warcio do
            # not decode it, so a zstd body would be stored but not replay
            "DEFAULT_REQUEST_HEADERS": {
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "en",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            # no control port listening during a crawl
            "REMOTE_CONTROL_ENABLED": False,
            "EXTENSIONS_BASE": _EXTENSIONS_BASE,
            # Scrapy starts this many tasks for the output of every callback; ours yield
            # one item or a few requests, and 100 tasks per response cost more than a fetch
            "CONCURRENT_ITEMS": 4,
            # a development lint: Scrapy re-reads and parses the source of a generator
            # callback for every response when the callback is a bound method (its cache is
            # keyed weakly on the method object, made anew for each request), ~4% of a run
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
            "LOG_LEVEL": "WARNING",
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            "CONCURRENT_REQUESTS": self.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": self.per_host if polite else self.concurrency,
            "DOWNLOAD_DELAY": self.delay if polite else 0,
            "DOWNLOAD_DELAY_JITTER": 0.5,
            "AUTOTHROTTLE_ENABLED": self.autothrottle and polite,
            "AUTOTHROTTLE_START_DELAY": max(self.delay, 1.0),
            "AUTOTHROTTLE_MAX_DELAY": 60.0,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(self.per_host),
            "DOWNLOAD_TIMEOUT": self.timeout,
            "RETRY_ENABLED": self.retries > 0,
            "RETRY_TIMES": self.retries,
            BACKOFF_SETTING: self.retry_backoff,
            RETRY_AFTER_MAX_SETTING: self.retry_after_max,
            "REDIRECT_ENABLED": True,
            "REDIRECT_MAX_TIMES": self.max_redirects,
            HOST_FAILURES_SETTING: self.host_failures,
            "METAREFRESH_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "COOKIES_ENABLED": True,
            # decoded-size guard against decompression bombs; the payload cap is ours
            "DOWNLOAD_MAXSIZE": max(self.max_size * 10, 1024 * 1024 * 1024),
            "DOWNLOAD_WARNSIZE": 0,
            MAX_SIZE_SETTING: self.max_size,
            ALLOW_PRIVATE_SETTING: self.allow_private,
            CA_BUNDLE_SETTING: self.ca_bundle,
            "DOWNLOAD_HANDLERS": {
                "http": "crawler.wire.WireDownloadHandler",
                "https": "crawler.wire.WireDownloadHandler",
            },
            # per-request byte counts in Scrapy's stats: nothing reads them
            "DOWNLOADER_STATS": False,
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                # no_proxy decided once per host, not once per request
                "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
                "crawler.proxy.EnvProxyMiddleware": 750,
                "crawler.retry.BackoffRetryMiddleware": 550,
                "crawler.cookies.SessionCookiesMiddleware": 710,  # after CookiesMiddleware
                "crawler.policy.PolicyMiddleware": 760,
                "crawler.breaker.HostBreakerMiddleware": 940,
                "crawler.capture.CaptureMiddleware": 950,
            },
        }
        return settings


def _parse(name: str, raw: str, kind: Any) -> Any:
    kind = str(kind)
    try:
        if kind.startswith("bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError as exc:
        raise SettingError(f"SOURCEKEEP_{name.upper()}: bad value {raw!r}") from exc
    return raw
