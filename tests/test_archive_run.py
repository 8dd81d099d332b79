"""``sourcekeep archive`` end to end: the real command in a child process, through the fixture
web's proxy, against its failure modes; then what the WARC files and the database hold."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import brotli
import pytest
from sqlmodel import Session, select

from archive.reader import open_record, read_record
from archive.text import extract
from provenance.models import Capture, CaptureRecord, Run, SourceCheck
from provenance.states import FetchOutcome, RunStatus
from tests.archive_support import (
    add_sources,
    archive_env,
    captures_by_url,
    engine_of,
    records_of,
    run_archive,
    warc_files,
    warcio_check,
)
from tests.conftest import BACKENDS, MAY_2024, Home, database_home, run_subprocess
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb import catalogue as cat
from tests.validators.tools import wayback

REFUSED = [
    "http://127.0.0.1:8080/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost/",
    "http://[::1]/",
    "http://10.0.0.7/router",
    "ftp://adilsoz.kz/files/report.pdf",
]
EXPECTED: dict[str, FetchOutcome] = {
    cat.GZIP: FetchOutcome.CAPTURED,
    cat.BROTLI: FetchOutcome.CAPTURED,
    cat.CHUNKED: FetchOutcome.CAPTURED,
    cat.GZIP_CHUNKED: FetchOutcome.CAPTURED,
    cat.TWO_COOKIES: FetchOutcome.CAPTURED,
    cat.REDIRECT_CHAIN: FetchOutcome.CAPTURED,
    cat.ERROR_500_THEN_200: FetchOutcome.CAPTURED,
    cat.RETRY_429_THEN_200: FetchOutcome.CAPTURED,
    cat.WINDOWS_1251: FetchOutcome.CAPTURED,
    cat.KOI8_R: FetchOutcome.CAPTURED,
    cat.PDF: FetchOutcome.CAPTURED,
    cat.JPEG: FetchOutcome.CAPTURED,
    cat.STATUS_404: FetchOutcome.HTTP_ERROR,
    cat.STATUS_410: FetchOutcome.HTTP_ERROR,
    cat.REDIRECT_LOOP: FetchOutcome.HTTP_ERROR,
    cat.OVERSIZED: FetchOutcome.TRUNCATED,
    cat.OVERSIZED_CHUNKED: FetchOutcome.TRUNCATED,
    cat.CONNECTION_RESET: FetchOutcome.NETWORK_ERROR,
    cat.UNKNOWN_HOST_URL: FetchOutcome.NETWORK_ERROR,
    cat.SLOW_DRIP: FetchOutcome.TIMEOUT,
    cat.TLS_EXPIRED_URL: FetchOutcome.CAPTURED,
    **{url: FetchOutcome.REFUSED for url in REFUSED},
}
MAX_SIZE = 1_000_000  # tests.archive_support.TEST_ENV


@dataclass
class Archived:
    home: Home
    web: FixtureWeb
    summary: dict[str, Any]
    stderr: str
    source_ids: dict[str, int]

    def session(self) -> Session:
        return Session(engine_of(self.home.database_url), expire_on_commit=False)

    def capture(self, url: str) -> Capture:
        with self.session() as session:
            found = captures_by_url(session)[url]
        assert len(found) == 1, found
        return found[0]

    def records(self, url: str) -> list[CaptureRecord]:
        with self.session() as session:
            return records_of(session, self.capture(url).id or 0)

    def path(self, rec: CaptureRecord) -> Path:
        return self.home.path / "collections" / "sourcekeep" / "archive" / rec.warc_filename

    def read(self, rec: CaptureRecord) -> Any:
        return read_record(self.path(rec), rec.offset, rec.length)

    def status_line(self, rec: CaptureRecord) -> str:
        with open_record(self.path(rec), rec.offset, rec.length) as record:
            head = record.http_headers
            return f"{head.protocol} {head.statusline}"


@pytest.fixture(scope="module", params=BACKENDS)
def archived(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fixture_web: FixtureWeb,
) -> Iterator[Archived]:
    """One archive run over every failure mode, per database backend."""
    path = tmp_path_factory.mktemp("archive") / "home"
    with database_home(path, request.param) as home:
        fixture_web.reset()
        ids = add_sources(home.database_url, path, list(EXPECTED))
        result = run_archive(archive_env(home.env(), fixture_web.env()), "--json")
        assert result.code == 0, result.stderr
        yield Archived(home, fixture_web, result.json(), result.stderr, ids)


def test_every_failure_mode_has_its_outcome(archived: Archived) -> None:
    got = {url: archived.capture(url).outcome for url in EXPECTED}
    assert got == EXPECTED
    summary = archived.summary
    assert summary["fetched"] == len(EXPECTED)
    expected_counts: dict[str, int] = {}
    for outcome in EXPECTED.values():
        expected_counts[outcome.value] = expected_counts.get(outcome.value, 0) + 1
    assert summary["outcomes"] == expected_counts
    assert set(summary["outcomes"]) <= {o.value for o in FetchOutcome}
    with archived.session() as session:
        run = session.get(Run, summary["run"])
    assert run is not None and run.status == RunStatus.FINISHED
    assert run.counts == expected_counts


def test_warcio_check_passes_on_every_file(archived: Archived) -> None:
    files = warc_files(archived.home.path)
    assert files
    result = warcio_check(files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_records_per_fetch_and_links(archived: Archived) -> None:
    records = archived.records(cat.GZIP)
    assert [r.record_type for r in records] == ["request", "response", "metadata", "conversion"]
    response = archived.read(records[1])
    request = archived.read(records[0])
    metadata = archived.read(records[2])
    conversion = archived.read(records[3])
    date = response.warc_header("WARC-Date")
    assert request.warc_header("WARC-Date") == date == metadata.warc_header("WARC-Date")
    assert request.warc_header("WARC-Concurrent-To") == records[1].record_id
    assert conversion.warc_header("WARC-Refers-To") == records[1].record_id
    assert conversion.payload.decode("utf-8") == archived.capture(cat.GZIP).text


@pytest.mark.parametrize("url", [cat.GZIP, cat.BROTLI, cat.CHUNKED, cat.GZIP_CHUNKED])
def test_payload_digest_is_of_the_bytes_sent(archived: Archived, url: str) -> None:
    sent = archived.web.responses_for(url)[-1]
    capture = archived.capture(url)
    assert capture.payload_sha256 == sent.payload_sha256
    decoded = sent.payload
    encoding = (sent.header("Content-Encoding") or "").lower()
    if encoding == "gzip":
        decoded = gzip.decompress(sent.payload)
    elif encoding == "br":
        decoded = brotli.decompress(sent.payload)
    assert capture.body_sha256 == hashlib.sha256(decoded).hexdigest()
    response = archived.read(archived.records(url)[1])
    assert response.payload == sent.payload  # still content-encoded, no chunk framing
    assert response.http_header("Transfer-Encoding") is None
    if encoding:
        assert response.http_header("Content-Encoding").lower() == encoding


REPLAYED = [
    cat.GZIP,
    cat.BROTLI,
    cat.CHUNKED,
    cat.GZIP_CHUNKED,
    cat.TWO_COOKIES,
    cat.PDF,
    cat.JPEG,
    cat.WINDOWS_1251,
]


@pytest.mark.validators
def test_pywb_replays_what_the_crawl_stored_byte_exact(archived: Archived) -> None:
    """pywb, pointed at the data home as it stands, serves every capture's payload exactly as
    the fixture web sent it (compressed bytes for a compressed answer)."""
    with wayback(archived.home.path, "sourcekeep") as pywb:
        for url in REPLAYED:
            sent = archived.web.responses_for(url)[-1]
            timestamp = archived.capture(url).warc_date.strftime("%Y%m%d%H%M%S")
            status, headers, body = pywb.replay(timestamp, url, **{"Accept-Encoding": "gzip, br"})
            assert status == sent.status, url
            assert hashlib.sha256(body).hexdigest() == sent.payload_sha256, url


def test_status_line_and_repeated_headers_as_sent(archived: Archived) -> None:
    sent = archived.web.responses_for(cat.TWO_COOKIES)[-1]
    record = archived.records(cat.TWO_COOKIES)[1]
    assert archived.status_line(record) == f"HTTP/1.1 200 {cat.TWO_COOKIES_REASON}"
    response = archived.read(record)
    cookies = [v for k, v in response.http_headers if k.lower() == "set-cookie"]
    assert len(cookies) == 2
    assert cookies == [v for k, v in sent.headers if k.lower() == "set-cookie"]
    # header lines keep the server's order and case
    assert [k for k, _ in response.http_headers] == [k for k, _ in sent.headers]


def test_redirect_hops_are_all_captured(archived: Archived) -> None:
    capture = archived.capture(cat.REDIRECT_CHAIN)
    assert capture.final_url == cat.REDIRECT_CHAIN_FINAL
    assert capture.redirects == list(cat.REDIRECT_CHAIN_HOPS[:-1])
    assert capture.http_status == 200
    responses = [r for r in archived.records(cat.REDIRECT_CHAIN) if r.record_type == "response"]
    assert [r.target_uri for r in responses] == list(cat.REDIRECT_CHAIN_HOPS)
    statuses = [archived.read(r).http_status for r in responses]
    assert statuses == [301, 302, 200]


def test_retry_after_is_honoured(archived: Archived) -> None:
    requests = archived.web.requests_for(cat.RETRY_429_THEN_200)
    assert len(requests) == 2
    assert requests[1].received_at - requests[0].received_at >= 1.0  # Retry-After: 1
    retried = archived.web.requests_for(cat.ERROR_500_THEN_200)
    assert len(retried) == 2
    # both attempts are in the WARC: the 500 and the 200
    statuses = [
        archived.read(r).http_status
        for r in archived.records(cat.ERROR_500_THEN_200)
        if r.record_type == "response"
    ]
    assert statuses == [500, 200]


@pytest.mark.parametrize("url", [cat.OVERSIZED, cat.OVERSIZED_CHUNKED])
def test_oversized_body_is_kept_truncated(archived: Archived, url: str) -> None:
    capture = archived.capture(url)
    assert capture.payload_size == MAX_SIZE
    response = archived.read(archived.records(url)[1])
    assert response.warc_header("WARC-Truncated") == "length"
    sent = archived.web.responses_for(url)[-1]
    assert sent.payload.startswith(response.payload)


@pytest.mark.parametrize(("url", "codec"), [(cat.WINDOWS_1251, "cp1251"), (cat.KOI8_R, "koi8_r")])
def test_legacy_charsets_are_decoded(archived: Archived, url: str, codec: str) -> None:
    sent = archived.web.responses_for(url)[-1]
    html = sent.payload.decode(codec)
    expected = extract(html.encode("utf-8"), "text/html; charset=utf-8", url)
    capture = archived.capture(url)
    assert expected.text and capture.text == expected.text
    assert capture.title == expected.title
    assert any("\u0400" <= ch <= "\u04ff" for ch in capture.text or "")


def test_user_agent_names_sourcekeep_and_request_record_matches(archived: Archived) -> None:
    sent = archived.web.requests_for(cat.GZIP)[0]
    agent = sent.header("User-Agent") or ""
    assert agent.startswith("sourcekeep/") and "+https://" in agent
    request = archived.read(archived.records(cat.GZIP)[0])
    assert request.http_header("User-Agent") == agent
    assert request.http_header("Host") == "vlast.kz"


def test_only_codings_the_fields_tools_replay_are_accepted(archived: Archived) -> None:
    """No zstd: pywb and warcio do not decode it, so a zstd body would not replay."""
    sent = archived.web.requests_for(cat.GZIP)[0]
    assert sent.header("Accept-Encoding") == "gzip, deflate, br"
    request = archived.read(archived.records(cat.GZIP)[0])
    assert request.http_header("Accept-Encoding") == "gzip, deflate, br"


def test_refused_urls_never_leave_the_machine(archived: Archived) -> None:
    for url in REFUSED:
        capture = archived.capture(url)
        assert capture.outcome == FetchOutcome.REFUSED
        assert capture.error and capture.error.startswith("refused:")
        assert archived.web.hits(url) == 0
        assert archived.records(url) == []


def test_tls_fingerprint_recorded_and_not_trusted(archived: Archived) -> None:
    capture = archived.capture(cat.GZIP)
    assert capture.tls_sha256 == archived.web.fingerprint("vlast.kz")
    assert capture.tls_valid is False  # the fixture web's CA is not in the system store
    assert capture.ip_address == "127.0.0.1"  # the proxy's address
    metadata = archived.read(archived.records(cat.GZIP)[2]).payload.decode("utf-8")
    assert f"tls-peer-certificate-sha256: {capture.tls_sha256}" in metadata


def test_metadata_lists_redirect_chain(archived: Archived) -> None:
    records = archived.records(cat.REDIRECT_CHAIN)
    final_metadata = [r for r in records if r.record_type == "metadata"][-1]
    text = archived.read(final_metadata).payload.decode("utf-8")
    for hop in cat.REDIRECT_CHAIN_HOPS[:-1]:
        assert f"redirect: {hop}" in text


# -- runs of their own ----------------------------------------------------------------------


def test_second_run_fetches_only_what_has_no_good_capture_and_writes_revisits(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    web = fresh_fixture_web
    final = cat.REDIRECT_CHAIN_FINAL
    ids = add_sources(home.database_url, home.path, [cat.GZIP, cat.STATUS_404, cat.REDIRECT_CHAIN])
    env = archive_env(home.env(), web.env())
    first = run_archive(env, "--json")
    assert first.code == 0, first.stderr
    # a second source whose URL is the chain's final page: same URL, same payload
    ids.update(add_sources(home.database_url, home.path, [final]))
    second = run_archive(env, "--json")
    assert second.code == 0, second.stderr
    summary = second.json()
    assert summary["fetched"] == 2  # the 404 again and the new source; not the good ones
    assert web.hits(cat.GZIP) == 1
    assert web.hits(cat.STATUS_404) == 2
    with Session(engine_of(home.database_url)) as session:
        by_source = {
            sid: session.exec(select(Capture).where(Capture.source_id == sid)).all()
            for sid in ids.values()
        }
        new = by_source[ids[final]][0]
        assert new.outcome == FetchOutcome.REVISIT
        revisit = [r for r in records_of(session, new.id or 0) if r.record_type == "revisit"]
        again = by_source[ids[cat.STATUS_404]][1]
        assert again.outcome == FetchOutcome.HTTP_ERROR
        assert [r.record_type for r in records_of(session, again.id or 0)][:3] == [
            "request",
            "revisit",
            "metadata",
        ]
        original = [
            r
            for r in records_of(session, by_source[ids[cat.REDIRECT_CHAIN]][0].id or 0)
            if r.record_type == "response" and r.target_uri == final
        ][0]
    assert len(revisit) == 1
    path = home.path / "collections" / "sourcekeep" / "archive" / revisit[0].warc_filename
    record = read_record(path, revisit[0].offset, revisit[0].length)
    assert record.warc_header("WARC-Refers-To") == original.record_id
    assert record.warc_header("WARC-Refers-To-Target-URI") == final
    assert record.warc_header("WARC-Profile").endswith("identical-payload-digest")
    assert warcio_check(warc_files(home.path)).returncode == 0


def test_a_source_over_the_size_cap_is_not_stored_twice(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    """A cut capture is no good evidence, but under the same cap archive does not fetch it
    again (it would get the same cut bytes) and says so; a higher cap fetches it whole. A
    check fetches it again under the old cap: the source is live, not changed (a cut text is
    no ground for drift), and the same cut bytes become a revisit, not another copy, the
    metadata saying it was cut."""
    web = fresh_fixture_web
    add_sources(home.database_url, home.path, [cat.OVERSIZED])
    env = archive_env(home.env(), web.env())
    assert run_archive(env, "--json").code == 0

    again = run_archive(env, "--json")
    assert again.code == 0, again.stderr
    assert (again.json()["fetched"], again.json()["cut_at_size_cap"]) == (0, 1)
    said = run_archive(env)
    assert said.code == 0 and "cut at the size cap" in said.stderr
    assert web.hits(cat.OVERSIZED) == 1

    whole = run_archive({**env, "SOURCEKEEP_MAX_SIZE": str(cat.OVERSIZED_BYTES * 2)}, "--json")
    assert whole.code == 0, whole.stderr
    assert (whole.json()["outcomes"], whole.json()["cut_at_size_cap"]) == ({"captured": 1}, 0)
    assert web.hits(cat.OVERSIZED) == 2
    size_before_check = sum(f.stat().st_size for f in warc_files(home.path))

    check = run_subprocess("check", "--json", env=env)
    assert check.code == 0, check.stderr
    assert web.hits(cat.OVERSIZED) == 3
    # it answers, but a cut text is no ground for drift and no evidence of the content
    assert check.json()["observed"] == {"live": 1}
    with Session(engine_of(home.database_url)) as session:
        (judged,) = session.exec(select(SourceCheck)).all()
        assert judged.evidence["cut"] is True and judged.evidence["content"] is False
    with Session(engine_of(home.database_url)) as session:
        cut_first, _whole, cut_again = session.exec(select(Capture).order_by(Capture.id)).all()
        assert cut_again.outcome == FetchOutcome.TRUNCATED
        assert cut_again.payload_sha256 == cut_first.payload_sha256
        kinds = [r.record_type for r in records_of(session, cut_again.id or 0)]
        original = next(
            r for r in records_of(session, cut_first.id or 0) if r.record_type == "response"
        )
        revisit = next(
            r for r in records_of(session, cut_again.id or 0) if r.record_type == "revisit"
        )
        metadata = next(
            r for r in records_of(session, cut_again.id or 0) if r.record_type == "metadata"
        )
    assert kinds[:3] == ["request", "revisit", "metadata"]
    archive_dir = home.path / "collections" / "sourcekeep" / "archive"
    record = read_record(archive_dir / revisit.warc_filename, revisit.offset, revisit.length)
    assert record.warc_header("WARC-Refers-To") == original.record_id
    fields = read_record(archive_dir / metadata.warc_filename, metadata.offset, metadata.length)
    assert "truncated: length" in fields.payload.decode("utf-8")
    # the check added heads and metadata, not another MAX_SIZE bytes
    grown = sum(f.stat().st_size for f in warc_files(home.path)) - size_before_check
    assert grown < MAX_SIZE // 10
    assert warcio_check(warc_files(home.path)).returncode == 0


def test_archive_a_real_chronicle_by_slug(home: Home, fresh_fixture_web: FixtureWeb) -> None:
    env = archive_env(home.env(), fresh_fixture_web.env())
    ingest = run_subprocess("ingest", str(MAY_2024), "--json", env=env)
    assert ingest.code == 0, ingest.stderr
    slug = ingest.json()["chronicle"]["slug"]
    result = run_archive(env, slug, "--limit", "6", "--json")
    assert result.code == 0, result.stderr
    summary = result.json()
    assert summary["fetched"] == 6
    assert sum(summary["outcomes"].values()) == 6
    with Session(engine_of(home.database_url)) as session:
        captured = session.exec(select(Capture).where(Capture.run_id == summary["run"])).all()
    assert {c.source_id for c in captured} and all(c.requested_url for c in captured)
    assert len(fresh_fixture_web.requests_for()) >= 1


def test_unknown_chronicle_and_bad_options_are_one_line_errors(home: Home) -> None:
    env = archive_env(home.env(), {})
    for args in (["no-such-chronicle"], ["--proxy", "not a proxy"], ["--max-size", "0"]):
        result = run_archive(env, *args, "--json")
        assert result.code == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stdout == ""
    assert not (Path(home.path) / "collections").exists()
