"""Raw HTTP message heads, as recorded on the wire, turned into the archive's exchange types.

Header lines keep their order, case and repetitions; bytes are decoded as latin-1 so they
round-trip unchanged. Credentials never reach the archive: the values of ``Cookie``,
``Authorization`` and ``Proxy-Authorization`` are replaced by :data:`REDACTED`, and the
caller learns that a session was used.
"""

from __future__ import annotations

from archive.exchange import Header, HttpRequest

REDACTED = "[redacted by sourcekeep: a session was used]"
SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
SESSION_HEADERS = frozenset({"cookie", "authorization"})


class HeadError(ValueError):
    """A message head that is not HTTP/1.x."""


def _lines(head: bytes) -> list[str]:
    text = head.decode("latin-1")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _headers(lines: list[str]) -> list[Header]:
    headers: list[Header] = []
    for line in lines:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding: a continuation
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if sep:  # lines without a colon are skipped, as the client parser skips them
            headers.append((name, value.strip()))
    return headers


def parse_response_head(head: bytes) -> tuple[str, int, str, list[Header]]:
    """``(protocol, status, reason, headers)`` of a raw response head."""
    lines = _lines(head)
    if not lines:
        raise HeadError("empty response head")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise HeadError(f"not an HTTP status line: {lines[0][:80]!r}")
    reason = parts[2] if len(parts) == 3 else ""
    return parts[0], int(parts[1]), reason, _headers(lines[1:])


def parse_request_head(head: bytes) -> tuple[HttpRequest, bool]:
    """The request as sent with credentials redacted, and whether a session was used."""
    lines = _lines(head)
    if not lines:
        raise HeadError("empty request head")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise HeadError(f"not an HTTP request line: {lines[0][:80]!r}")
    method, target, version = parts
    headers, session = redact(_headers(lines[1:]))
    return HttpRequest(target=target, headers=headers, method=method, version=version), session


def redact(headers: list[Header]) -> tuple[list[Header], bool]:
    """Headers with credential values replaced, and whether a session (cookies or
    credentials for the site) was sent."""
    out: list[Header] = []
    session = False
    for name, value in headers:
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            session = session or lowered in SESSION_HEADERS
            out.append((name, REDACTED))
        else:
            out.append((name, value))
    return out, session
