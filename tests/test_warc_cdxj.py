"""The CDXJ index: pywb's line format, replayable records only, current after every write."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from archive import cdxj
from archive.cdxj import CdxEntry, CdxjIndex
from archive.warc import WarcStore
from tests.validators import samples


def _entry(url: str, ts: str, offset: int) -> CdxEntry:
    return CdxEntry(url, ts, "text/html", 200, "sha256:" + "0" * 64, "a.warc.gz", offset, 10)


def test_line_format() -> None:
    line = CdxEntry(
        "https://Rus.Azattyq.org/a/1.html?b=2&a=1",
        "20240514093012",
        "text/html",
        200,
        "sha256:ab",
        "sk-1.warc.gz",
        832,
        554,
    ).line()
    key, ts, fields = line.split(" ", 2)
    assert (key, ts) == ("org,azattyq,rus)/a/1.html?a=1&b=2", "20240514093012")
    assert json.loads(fields) == {
        "url": "https://Rus.Azattyq.org/a/1.html?b=2&a=1",
        "mime": "text/html",
        "status": "200",
        "digest": "sha256:ab",
        "length": "554",
        "offset": "832",
        "filename": "sk-1.warc.gz",
    }
    assert cdxj.timestamp14("2024-05-14T09:30:12.345678Z") == "20240514093012"
    assert cdxj.mime_of("text/html; charset=windows-1251") == "text/html"
    assert cdxj.mime_of(None) == "unk"


def test_only_responses_and_revisits_are_indexed(tmp_path: Path) -> None:
    store = WarcStore(tmp_path / "archive", index_dir=tmp_path / "indexes")
    store.write_fetch(samples.gzip_page(), text="текст")
    store.write_fetch(samples.not_found())
    lines = cdxj.read_index(tmp_path / "indexes")
    assert len(lines) == 2  # no request, metadata or conversion lines
    assert [json.loads(x.split(" ", 2)[2])["status"] for x in lines] == ["404", "200"]


def test_index_is_current_sorted_and_compact_after_every_add(tmp_path: Path) -> None:
    index = CdxjIndex(tmp_path)
    rng = random.Random(7)
    hosts = ["kaztag.kz", "orda.kz", "vlast.kz", "rus.azattyq.org", "adilsoz.kz"]
    expected: list[str] = []
    for batch in range(200):
        entries = [
            _entry(f"https://{rng.choice(hosts)}/{rng.randrange(10**6)}", "20240514093012",
                   batch * 10 + i)
            for i in range(rng.choice([1, 1, 1, 3]))
        ]
        index.add("a.warc.gz", entries)
        expected += [e.line() for e in entries]
        seen = cdxj.read_index(tmp_path)
        assert seen == sorted(expected)
        segments = list(tmp_path.glob("*.cdxj"))
        assert len(segments) <= math.log2(len(expected)) + 2
        assert not list(tmp_path.glob(".*tmp"))
    final = index.finish("a.warc.gz")
    assert [p.name for p in tmp_path.glob("*.cdxj")] == [final.name] == ["a.cdxj"]
    assert final.read_text().splitlines() == sorted(expected)


def test_rebuild_from_the_warc_equals_the_live_index(tmp_path: Path) -> None:
    store = WarcStore(tmp_path / "archive", index_dir=tmp_path / "indexes")
    first = store.write_fetch(samples.pdf())
    store.write_fetch(samples.chunked_page())
    store.write_fetch(samples.truncated())
    live = cdxj.read_index(tmp_path / "indexes")
    warc = tmp_path / "archive" / first.response.filename
    rebuilt = cdxj.rebuild(warc, tmp_path / "indexes")
    assert rebuilt.read_text().splitlines() == live
    assert cdxj.read_index(tmp_path / "indexes") == live
