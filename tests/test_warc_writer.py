"""WarcStore: the records of a fetch, their links and digests, rotation and file listing."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import naming
from archive.exchange import latin1_headers
from archive.reader import StoredRecord, read_record, read_text
from archive.warc import RecordRef, WarcStore, list_files, payload_digest, revisit_allowed
from tests.validators import samples
from tests.validators.tools import warcio_check


def _records(path: Path) -> list[tuple[str, dict[str, list[str]]]]:
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            headers: dict[str, list[str]] = {}
            for name, value in rec.rec_headers.headers:
                headers.setdefault(name, []).append(value)
            out.append((rec.rec_type, headers))
    return out


def _read(directory: Path, ref: RecordRef) -> StoredRecord:
    return read_record(directory / ref.filename, ref.offset, ref.length)


def test_fetch_records_are_linked_dated_and_digested(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    done = store.write_fetch(samples.gzip_page(), text="Суд над журналистом")
    store.close()
    path = tmp_path / done.response.filename
    recs = _records(path)
    assert [t for t, _ in recs] == ["warcinfo", "request", "response", "metadata", "conversion"]
    info = recs[0][1]
    assert info["WARC-Filename"] == [path.name]
    warcinfo_id = info["WARC-Record-ID"][0]
    resp_id = done.response.record_id
    dates = {h["WARC-Date"][0] for t, h in recs[1:]}
    assert dates == {"2024-05-14T09:30:12.345678Z"}
    by_type = dict(recs)
    assert by_type["request"]["WARC-Concurrent-To"] == [resp_id]
    assert by_type["metadata"]["WARC-Concurrent-To"] == [resp_id]
    assert by_type["conversion"]["WARC-Refers-To"] == [resp_id]
    assert "WARC-Concurrent-To" not in by_type["conversion"]  # not allowed on conversion
    assert "WARC-IP-Address" not in by_type["conversion"]
    assert by_type["response"]["WARC-IP-Address"] == ["127.0.0.1"]
    for _type, headers in recs[1:]:
        assert headers["WARC-Warcinfo-ID"] == [warcinfo_id]
        assert headers["WARC-Block-Digest"][0].startswith("sha256:")
    assert "WARC-Payload-Digest" not in by_type["metadata"]
    expected = "sha256:" + hashlib.sha256(samples.gzip_page().response.payload).hexdigest()
    assert by_type["response"]["WARC-Payload-Digest"] == [expected]
    assert done.response.payload_digest == expected == payload_digest(samples.gzip_page().response)
    assert gzip.open(path).read(8) == b"WARC/1.1"


def test_response_keeps_wire_payload_and_every_header(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    ex = samples.gzip_page()
    done = store.write_fetch(ex)
    ref = done.response
    stored = read_record(tmp_path / ref.filename, ref.offset, ref.length)
    assert stored.payload == ex.response.payload  # still gzip-compressed
    assert stored.http_header("Content-Encoding") == "gzip"
    assert [v for n, v in stored.http_headers if n == "Set-Cookie"] == [
        "session=abc; Path=/",
        "lang=ru; Path=/",
    ]
    decoded = read_record(tmp_path / ref.filename, ref.offset, ref.length, decoded=True)
    assert decoded.payload == samples.article_html().encode("utf-8")


def test_status_line_is_the_real_one_and_header_bytes_survive(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    headers = latin1_headers([(b"Content-Type", b"text/html"), (b"X-Odd", b"caf\xe9 \xff")])
    ex = samples.exchange("https://orda.kz/x", b"<p>x</p>", headers, status=451, reason="Nope")
    ref = store.write_fetch(ex).response
    store.close()
    with open(tmp_path / ref.filename, "rb") as fh:
        fh.seek(ref.offset)
        raw = gzip.GzipFile(fileobj=fh).read(2000)
    assert b"\r\n\r\nHTTP/1.1 451 Nope\r\nContent-Type: text/html\r\nX-Odd: caf\xe9 \xff\r\n" in raw


def test_transfer_encoding_is_left_out_and_noted_in_metadata(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    ex = samples.chunked_page()
    done = store.write_fetch(ex)
    resp = _read(tmp_path, done.response)
    assert resp.http_header("Transfer-Encoding") is None
    assert resp.http_header("Server") == "nginx"
    assert resp.payload == ex.response.payload
    meta = _read(tmp_path, done.metadata)
    fields = meta.payload.decode("utf-8").splitlines()
    assert "removed-http-header: Transfer-Encoding: chunked" in fields
    assert "tls-peer-certificate-sha256: " + "5f" * 32 in fields
    assert "tls-certificate-valid: true" in fields
    assert "redirect: http://kaztag.kz/ru/news/123" in fields
    assert "proxy: http://127.0.0.1:8899" in fields
    assert "software: sourcekeep/0.1.0 Scrapy/2.13" in fields
    assert "fetchTimeMs: 120" in fields


def test_truncated_response_says_so(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    done = store.write_fetch(samples.truncated())
    store.close()
    headers = dict(_records(tmp_path / done.response.filename))["response"]
    assert headers["WARC-Truncated"] == ["length"]


def test_a_payload_cut_at_the_cap_again_may_be_a_revisit(tmp_path: Path) -> None:
    """The same bytes cut at the same cap need no second copy."""
    store = WarcStore(tmp_path)
    first = store.write_fetch(samples.truncated())
    prior = samples.prior_of(first)
    again = samples.truncated()
    assert revisit_allowed(again.response, prior)
    second = store.write_fetch(again, revisit_of=prior)
    store.close()
    assert second.is_revisit
    records = dict(_records(tmp_path / second.response.filename))
    assert records["revisit"]["WARC-Refers-To"] == [first.response.record_id]


def test_revisit_record_refers_to_the_original(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    first = store.write_fetch(samples.pdf())
    prior = samples.prior_of(first)
    again = samples.pdf("https://www.adilsoz.kz/copy.pdf")
    assert revisit_allowed(again.response, prior)
    assert not revisit_allowed(samples.truncated().response, prior)  # other bytes
    assert not revisit_allowed(again.response, None)
    second = store.write_fetch(again, revisit_of=prior)
    assert second.is_revisit
    with pytest.raises(ValueError):
        store.write_fetch(samples.chunked_page(), revisit_of=prior)
    store.close()
    headers = dict(_records(tmp_path / second.response.filename))["revisit"]
    assert headers["WARC-Profile"] == [
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    ]
    assert headers["WARC-Refers-To"] == [first.response.record_id]
    assert headers["WARC-Refers-To-Target-URI"] == ["https://adilsoz.kz/files/report.pdf"]
    assert headers["WARC-Refers-To-Date"] == ["2024-05-14T09:30:12.345678Z"]
    assert headers["WARC-Payload-Digest"] == [first.response.payload_digest]
    stored = _read(tmp_path, second.response)
    assert stored.http_status == 200 and stored.payload == b""


def test_offsets_and_lengths_point_at_each_record(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    done = store.write_fetch(samples.gzip_page(), text="текст статьи")
    for ref in done.records:
        rec = read_record(tmp_path / ref.filename, ref.offset, ref.length)
        assert rec.record_type == ref.record_type
        assert rec.warc_header("WARC-Record-ID") == ref.record_id
    conv = done.conversion
    assert conv is not None
    assert read_text(tmp_path / conv.filename, conv.offset, conv.length) == "текст статьи"
    later = store.write_conversion(done.response, "второй текст")
    assert read_text(tmp_path / later.filename, later.offset, later.length) == "второй текст"


def test_files_rotate_with_conventional_names_and_sha256_when_closed(tmp_path: Path) -> None:
    store = WarcStore(tmp_path, prefix="sk", max_size=3000, host="crawl01")
    closed = []
    for i in range(6):
        closed += store.write_fetch(samples.pdf(f"https://adilsoz.kz/{i}.pdf")).closed_files
    current = store.current_filename
    assert len(closed) >= 2
    files = list_files(tmp_path)
    assert [f.filename for f in files if not f.closed] == [current]
    for info in files:
        assert re.fullmatch(r"sk-\d{17}-\d{5}-crawl01\.warc\.gz", info.filename)
        assert info.size == (tmp_path / info.filename).stat().st_size
        if info.closed:
            assert info.sha256 == hashlib.sha256(info.path.read_bytes()).hexdigest()
    assert [naming.serial_of(f.filename) for f in files] == list(range(len(files)))
    last = store.close()
    assert last is not None and last.filename == current
    assert all(f.closed for f in list_files(tmp_path))
    with open(tmp_path / current, "rb") as fh:  # every file begins with its warcinfo
        assert next(iter(ArchiveIterator(fh))).rec_type == "warcinfo"


def test_a_new_store_continues_the_serial(tmp_path: Path) -> None:
    with WarcStore(tmp_path, prefix="sk") as store:
        store.write_fetch(samples.pdf())
    with WarcStore(tmp_path, prefix="sk") as store:
        name = store.write_fetch(samples.pdf()).response.filename
    assert naming.serial_of(name) == 1


def test_resource_record(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    ref = store.write_resource(
        "urn:sourcekeep:run/7/log", "text/plain", b"run log", samples.WHEN
    )
    rec = read_record(tmp_path / ref.filename, ref.offset, ref.length)
    assert (rec.record_type, rec.payload) == ("resource", b"run log")


def test_a_failed_write_is_cut_off_and_the_next_goes_to_a_new_file(tmp_path: Path) -> None:
    store = WarcStore(tmp_path)
    first = store.write_fetch(samples.pdf())
    path = tmp_path / first.response.filename
    good = first.metadata.offset + first.metadata.length
    with pytest.raises(AttributeError):  # text must be str: fails after three records
        store.write_fetch(samples.chunked_page(), text=b"not text")  # type: ignore[arg-type]
    assert path.stat().st_size == good
    assert naming.is_closed(path)
    nxt = store.write_fetch(samples.pdf("https://adilsoz.kz/2.pdf"))
    assert nxt.closed_files[0].filename == path.name
    assert nxt.response.filename != path.name
    store.close()
    assert warcio_check(sorted(tmp_path.glob("*.warc.gz"))).returncode == 0
