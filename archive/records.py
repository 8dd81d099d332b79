"""Building the WARC records of one fetch (warcio records; nothing is written here).

The HTTP header blocks are serialized byte-exactly from the exchange (latin-1), instead of
warcio's re-encoding which would percent-encode non-ASCII bytes a server really sent.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

from archive.exchange import FetchInfo, Header, HttpExchange, PriorCapture

WARC_VERSION = "WARC/1.1"
REVISIT_PROFILE = RecordBuilder.REVISIT_PROFILE_1_1
HOP_HEADERS = ("transfer-encoding",)  # removed: the stored payload carries no transfer coding


class ExactHeaders(StatusAndHeaders):
    """An HTTP start line and header list that serialize to exactly the bytes received."""

    def __init__(self, start_line: str, headers: list[Header], protocol: str = "") -> None:
        super().__init__(start_line, list(headers), protocol=protocol)
        self.start_line = start_line

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        if getattr(self, "headers_buff", None):
            return  # serialized once (warcio asks again when it writes the record)
        lines = [self.start_line, *(f"{name}: {value}" for name, value in self.headers)]
        text = "\r\n".join(lines) + "\r\n\r\n"
        try:
            self.headers_buff = text.encode("latin-1")
        except UnicodeEncodeError:  # a caller passed decoded non-latin-1 text
            self.headers_buff = text.encode("utf-8")


def warc_date(when: dt.datetime) -> str:
    """W3C-DTF UTC timestamp with microseconds, as WARC 1.1 allows."""
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)
    return datetime_to_iso_date(naive, use_micros=True)


def response_headers(exchange: HttpExchange) -> tuple[ExactHeaders, list[Header]]:
    """The stored response head, and the hop-by-hop headers left out of it."""
    resp = exchange.response
    kept = [(n, v) for n, v in resp.headers if n.lower() not in HOP_HEADERS]
    removed = [(n, v) for n, v in resp.headers if n.lower() in HOP_HEADERS]
    start = f"{resp.protocol} {resp.status} {resp.reason}"
    status = f"{resp.status} {resp.reason}"
    head = ExactHeaders(start, kept, protocol=resp.protocol)
    head.statusline = status
    return head, removed


def request_headers(exchange: HttpExchange) -> ExactHeaders:
    req = exchange.request
    head = ExactHeaders(f"{req.method} {req.target} {req.version}", req.headers)
    head.protocol = req.method
    head.statusline = f"{req.target} {req.version}"
    return head


def _record(
    builder: RecordBuilder,
    uri: str,
    rec_type: str,
    headers: dict[str, str],
    body: bytes,
    http: StatusAndHeaders | None = None,
    content_type: str = "",
) -> ArcWarcRecord:
    return builder.create_warc_record(
        uri,
        rec_type,
        payload=BytesIO(body),
        length=len(body),
        warc_content_type=content_type,
        warc_headers_dict=_leading(rec_type, headers),
        http_headers=http,
    )


def _leading(rec_type: str, headers: dict[str, str]) -> dict[str, str]:
    """WARC-Type and WARC-Record-ID first, as readers of a dump expect them."""
    return {"WARC-Type": rec_type, "WARC-Record-ID": RecordBuilder._make_warc_id(), **headers}


def common_headers(exchange: HttpExchange, warcinfo_id: str | None) -> dict[str, str]:
    headers = {"WARC-Date": warc_date(exchange.warc_date)}
    if warcinfo_id:
        headers["WARC-Warcinfo-ID"] = warcinfo_id
    return headers


def build_request(
    builder: RecordBuilder, exchange: HttpExchange, warcinfo_id: str | None, concurrent_to: str
) -> ArcWarcRecord:
    headers = common_headers(exchange, warcinfo_id)
    headers["WARC-Concurrent-To"] = concurrent_to
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    return _record(
        builder,
        exchange.target_uri,
        "request",
        headers,
        exchange.request.body,
        http=request_headers(exchange),
    )


def build_response(
    builder: RecordBuilder, exchange: HttpExchange, warcinfo_id: str | None, payload_digest: str
) -> ArcWarcRecord:
    headers = common_headers(exchange, warcinfo_id)
    headers["WARC-Payload-Digest"] = payload_digest
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    if exchange.response.truncated:
        headers["WARC-Truncated"] = str(exchange.response.truncated)
    head, _removed = response_headers(exchange)
    return _record(
        builder, exchange.target_uri, "response", headers, exchange.response.payload, http=head
    )


def build_revisit(
    builder: RecordBuilder,
    exchange: HttpExchange,
    warcinfo_id: str | None,
    prior: PriorCapture,
) -> ArcWarcRecord:
    """Identical-payload-digest revisit: the response head only, the payload left off."""
    headers = common_headers(exchange, warcinfo_id)
    headers["WARC-Refers-To"] = prior.record_id
    # the block is the response truncated before its payload (WARC 1.1, 6.7.2)
    headers["WARC-Truncated"] = "length"
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    head, _removed = response_headers(exchange)
    record = builder.create_revisit_record(
        exchange.target_uri,
        prior.payload_digest,
        prior.target_uri,
        warc_date(prior.warc_date),
        http_headers=head,
        warc_headers_dict=_leading("revisit", headers),
    )
    record.rec_headers.replace_header("WARC-Profile", REVISIT_PROFILE)
    return record


def metadata_fields(exchange: HttpExchange) -> list[tuple[str, str]]:
    """The fetch provenance as ``application/warc-fields`` name/value pairs."""
    info: FetchInfo = exchange.fetch
    fields: list[tuple[str, str]] = [("software", info.crawler)]
    if info.via:
        fields.append(("via", info.via))
    if info.redirect_chain:
        fields.append(("hopsFromSeed", "R" * len(info.redirect_chain)))
    fields.extend(("redirect", url) for url in info.redirect_chain)
    if "total" in info.timings:
        fields.append(("fetchTimeMs", str(round(info.timings["total"] * 1000))))
    fields.extend((f"timing-{k}", f"{v:.6f}") for k, v in info.timings.items())
    if exchange.ip_address:
        fields.append(("peer-ip", exchange.ip_address))
    if info.tls_sha256:
        fields.append(("tls-peer-certificate-sha256", info.tls_sha256))
    if info.tls_valid is not None:
        fields.append(("tls-certificate-valid", "true" if info.tls_valid else "false"))
    if info.tls_error:
        fields.append(("tls-error", info.tls_error))
    if info.proxy:
        fields.append(("proxy", info.proxy))
    fields.append(("session", "true" if info.session else "false"))
    if exchange.response.truncated:
        fields.append(("truncated", str(exchange.response.truncated)))
    _head, removed = response_headers(exchange)
    for name, value in removed:
        fields.append(("removed-http-header", f"{name}: {value}"))
    fields.extend(info.extra.items())
    return fields


def build_metadata(
    builder: RecordBuilder,
    exchange: HttpExchange,
    warcinfo_id: str | None,
    concurrent_to: list[str],
) -> ArcWarcRecord:
    headers = common_headers(exchange, warcinfo_id)
    fields = metadata_fields(exchange)
    body = "".join(f"{n}: {_one_line(v)}\r\n" for n, v in fields).encode("utf-8")
    record = _record(
        builder, exchange.target_uri, "metadata", headers, body,
        content_type="application/warc-fields",
    )
    for record_id in concurrent_to:
        record.rec_headers.add_header("WARC-Concurrent-To", record_id)
    return record


def build_conversion(
    builder: RecordBuilder,
    target_uri: str,
    when: dt.datetime,
    warcinfo_id: str | None,
    refers_to: str,
    text: str,
) -> ArcWarcRecord:
    headers = {"WARC-Date": warc_date(when), "WARC-Refers-To": refers_to}
    if warcinfo_id:
        headers["WARC-Warcinfo-ID"] = warcinfo_id
    return _record(
        builder, target_uri, "conversion", headers, text.encode("utf-8"),
        content_type="text/plain; charset=utf-8",
    )


def build_resource(
    builder: RecordBuilder,
    target_uri: str,
    when: dt.datetime,
    warcinfo_id: str | None,
    content_type: str,
    data: bytes,
    concurrent_to: list[str] | None = None,
) -> ArcWarcRecord:
    headers = {"WARC-Date": warc_date(when)}
    if warcinfo_id:
        headers["WARC-Warcinfo-ID"] = warcinfo_id
    record = _record(builder, target_uri, "resource", headers, data, content_type=content_type)
    for record_id in concurrent_to or []:
        record.rec_headers.add_header("WARC-Concurrent-To", record_id)
    return record


def build_warcinfo(builder: RecordBuilder, filename: str, info: dict[str, str]) -> ArcWarcRecord:
    return builder.create_warcinfo_record(filename, info)


def _one_line(value: str) -> str:
    """warc-fields values may not span lines (IIPC recommendation #74)."""
    return " ".join(value.splitlines())
