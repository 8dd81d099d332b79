"""The one vocabulary of states and outcomes used by the database, the CLI and JSON.

Every place that stores or prints a source state or a fetch outcome uses these enums; the
database keeps their ``value`` strings under a CHECK constraint.
"""

from __future__ import annotations

from enum import StrEnum


class SourceState(StrEnum):
    """What the live source looks like after the latest check."""

    PENDING = "pending"  # never checked
    LIVE = "live"  # reachable, main text matches the first good capture
    CHANGED = "changed"  # reachable, main text differs beyond the drift threshold
    GONE = "gone"  # deletion confirmed by consecutive consistent checks
    WALLED = "walled"  # login or consent wall: says nothing about deletion
    BLOCKED = "blocked"  # 403/451, captcha, geo-block, persisting 429
    UNREACHABLE = "unreachable"  # network errors, timeouts: transient
    INVALID = "invalid"  # refused URL: bad scheme, SSRF policy


class FetchOutcome(StrEnum):
    """What one fetch of one URL produced."""

    CAPTURED = "captured"  # 2xx/3xx response stored in full
    REVISIT = "revisit"  # identical payload already stored: revisit record written
    HTTP_ERROR = "http_error"  # 4xx/5xx response, stored as evidence
    TRUNCATED = "truncated"  # body over the size cap, stored with WARC-Truncated
    NETWORK_ERROR = "network_error"  # DNS failure, connection refused or reset
    TIMEOUT = "timeout"  # no complete answer within the timeout
    REFUSED = "refused"  # not fetched: scheme or address policy


class NetworkFailure(StrEnum):
    """Why a fetch got no HTTP answer at all, told by the exception's type, never its text."""

    DNS = "dns"  # the host name does not resolve
    REFUSED = "connection_refused"
    RESET = "connection_reset"  # the connection broke off during the exchange
    TLS = "tls"  # the TLS handshake failed
    PROXY = "proxy"  # the proxy would not open a tunnel to the host
    TIMEOUT = "timeout"
    OTHER = "other"


class ProblemKind(StrEnum):
    """Problems found in a chronicle at ingest. Reported and stored, never silently fixed."""

    UNRESOLVED_MARKER = "unresolved_marker"
    UNUSED_FOOTNOTE = "unused_footnote"
    MALFORMED_URL = "malformed_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    DUPLICATE_URL = "duplicate_url"
    TRACKING_PARAMS = "tracking_params"
    PREVIEW_LINK = "preview_link"
    DATE_OUT_OF_ORDER = "date_out_of_order"


class Platform(StrEnum):
    TELEGRAM = "telegram"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    WEB = "web"


class RunKind(StrEnum):
    ARCHIVE = "archive"
    CHECK = "check"


class RunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
