"""Ingest through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.chronicle_html import chronicle_html, chronicle_html_file
from tests.conftest import MAY_2024, NOV_2023, Home, Result

TABLES = ("chronicle", "chronicle_version", "entry", "footnote", "citation", "problem", "source")
MAY_TITLE = "Monitoring of political persecution in the Republic of Kazakhstan, May 2024"
NOV_TITLE = "Monitoring of political persecution in the Republic of Kazakhstan, November 2023"

Cli = Callable[..., Result]


def counts(home: Home) -> dict[str, int]:
    engine = sa.create_engine(home.database_url)
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
            }
    finally:
        engine.dispose()


def untouched(home: Home) -> bool:
    """Whether nothing at all was written: no database file, or no table in the schema."""
    if home.backend == "sqlite":
        return not (home.path / "sourcekeep.db").exists()
    engine = sa.create_engine(home.database_url)
    try:
        return sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def query(home: Home, sql: str, **params: Any) -> list[sa.Row[Any]]:
    engine = sa.create_engine(home.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def ingest_json(cli: Cli, *args: object) -> dict[str, Any]:
    result = cli("ingest", *map(str, args), "--json")
    assert result.code == 0, result.stderr
    return result.json()


def problems(out: dict[str, Any], kind: str) -> list[int | None]:
    return [p["footnote"] for p in out["problems"] if p["kind"] == kind]


@pytest.fixture(params=["text", "html"])
def chronicle_file(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        if request.param == "text":
            return path
        title = MAY_TITLE if path == MAY_2024 else NOV_TITLE
        return chronicle_html_file(path, tmp_path, title)

    return make


def test_may_2024(cli: Cli, home: Home, chronicle_file: Callable[[Path], Path]) -> None:
    out = ingest_json(cli, chronicle_file(MAY_2024))
    assert out["chronicle"]["period"] == "2024-05"
    assert out["chronicle"]["slug"].startswith("2024-05-")
    assert out["version"]["number"] == 1 and out["version"]["created"] is True
    assert out["changes"] is None
    assert (out["entries"], out["markers"], out["footnotes"]) == (103, 104, 96)
    assert out["citations"] == 96
    assert out["sources"] == 95  # [16] and [17] cite the same post
    assert problems(out, "unresolved_marker") == [4, 12, 15, 18, 30, 56, 67, 84]
    assert problems(out, "duplicate_url") == [17]
    assert problems(out, "malformed_url") == [69]
    assert problems(out, "preview_link") == [96, 97]
    assert problems(out, "unused_footnote") == problems(out, "tracking_params") == []
    assert all(set(p) >= {"kind", "footnote", "detail"} for p in out["problems"])
    assert counts(home)["problem"] == len(out["problems"]) == 12

    # The URL as written stays on the footnote and the citation; the repair is the source.
    [(written, source_url, candidate)] = query(
        home,
        "SELECT f.url, s.url, p.candidate FROM footnote f JOIN source s ON s.id = f.source_id"
        " JOIN problem p ON p.footnote = f.number AND p.version_id = f.version_id"
        " WHERE f.number = 69 AND p.kind = 'malformed_url'",
    )
    assert written.startswith("mailto:https://adilsoz.kz/")
    assert source_url == candidate == written.removeprefix("mailto:")
    [(cited,)] = query(home, "SELECT url FROM citation WHERE footnote = 69")
    assert cited == written


def test_november_2023(cli: Cli, home: Home, chronicle_file: Callable[[Path], Path]) -> None:
    out = ingest_json(cli, chronicle_file(NOV_2023))
    assert out["chronicle"]["period"] == "2023-11"
    assert (out["entries"], out["markers"], out["footnotes"]) == (95, 96, 88)
    assert out["sources"] == 87  # [82] and [83] cite the same article
    assert problems(out, "unresolved_marker") == [17, 21, 23, 47, 54, 62, 70, 75]
    assert problems(out, "duplicate_url") == [83]
    assert problems(out, "tracking_params") == [15, 33]
    dates = [p["detail"] for p in out["problems"] if p["kind"] == "date_out_of_order"]
    assert any("dated 2023-11-16 follows" in d and "dated 2023-11-23" in d for d in dates)

    # fbclid is kept as written but the source is deduplicated without it
    [(written, normalized)] = query(
        home,
        "SELECT c.url, s.normalized_url FROM citation c JOIN source s ON s.id = c.source_id"
        " WHERE c.footnote = 33",
    )
    assert "fbclid=" in written
    assert normalized == "https://rus.azattyq.org/a/32679916.html"


def test_citations_and_chronicles(cli: Cli, home: Home) -> None:
    first = ingest_json(cli, MAY_2024)
    second = ingest_json(cli, NOV_2023)
    listed = cli("chronicles", "--json")
    assert listed.code == 0
    rows = {c["slug"]: c for c in listed.json()["chronicles"]}
    assert set(rows) == {first["chronicle"]["slug"], second["chronicle"]["slug"]}
    may = rows[first["chronicle"]["slug"]]
    assert (may["period"], may["versions"], may["entries"], may["citations"]) == (
        "2024-05",
        1,
        103,
        96,
    )

    by_slug = cli("citations", first["chronicle"]["slug"], "--json")
    by_id = cli("citations", str(first["chronicle"]["id"]), "--json")
    assert by_slug.code == by_id.code == 0
    assert by_slug.json() == by_id.json()
    citations = by_slug.json()["citations"]
    assert len(citations) == 96
    assert all(
        set(c) >= {"footnote", "entry", "date", "url", "normalized_url", "platform"}
        for c in citations
    )
    by_number = {c["footnote"]: c for c in citations}
    assert isinstance(by_number[1].pop("source_id"), int)
    assert by_number[1] == {
        "footnote": 1,
        "entry": 1,
        "date": "2024-05-01",
        "place": "Almaty",
        "url": "https://rus.azattyq.org/a/32929363.html",
        "normalized_url": "https://rus.azattyq.org/a/32929363.html",
        "platform": "web",
        "host": "rus.azattyq.org",
        "state": "pending",
    }
    platforms = {c["platform"] for c in citations}
    assert platforms == {"web", "telegram", "facebook", "instagram", "youtube"}
    assert by_number[33]["platform"] == "telegram"
    assert by_number[74]["platform"] == "facebook"  # web.facebook.com
    assert by_number[16]["source_id"] == by_number[17]["source_id"]

    human = cli("citations", first["chronicle"]["slug"])
    assert human.code == 0 and "telegram" in human.stdout and "2024-05-31" in human.stdout
    assert cli("chronicles").code == 0

    missing = cli("citations", "no-such-chronicle")
    assert missing.code == 2 and "no chronicle" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_reingest_identical_changes_nothing(cli: Cli, home: Home) -> None:
    ingest_json(cli, MAY_2024)
    before = counts(home)
    again = ingest_json(cli, MAY_2024)
    assert again["unchanged"] is True and again["version"]["created"] is False
    assert again["version"]["number"] == 1
    assert (again["entries"], again["citations"], again["sources"]) == (103, 96, 95)
    assert len(again["problems"]) == 12
    assert again["changes"] == {"added": [], "removed": [], "changed": []}
    assert counts(home) == before
    human = cli("ingest", str(MAY_2024))
    assert human.code == 0 and "unchanged" in human.stdout
    assert counts(home) == before


def test_edited_version(cli: Cli, home: Home, tmp_path: Path) -> None:
    edited = tmp_path / MAY_2024.name
    text = MAY_2024.read_text(encoding="utf-8")
    first = ingest_json(cli, MAY_2024)
    before = counts(home)
    text = text.replace("[2] https://bureau.kz/goryachee/snova-proneslo/\n", "")
    text = text.replace(
        "[3] https://www.facebook.com/groups/2613737598955074/posts/3577551185907039/",
        "[3] https://www.facebook.com/groups/2613737598955074/posts/3577551185907040/",
    )
    text = text.replace(
        "\n\n\n\n[1] ",
        "\n\nMay 31, Almaty, a late addition to the chronicle[105].\n\n\n\n[1] ",
    )
    text = text.replace("[104] https://", "[105] https://t.me/AdalSotKz/2000\n\n[104] https://")
    edited.write_text(text, encoding="utf-8")

    out = ingest_json(cli, edited)
    assert out["chronicle"]["id"] == first["chronicle"]["id"]
    assert out["version"]["number"] == 2 and out["version"]["previous"] == 1
    assert (out["entries"], out["markers"], out["footnotes"]) == (104, 105, 96)
    changes = out["changes"]
    assert [(c["footnote"], c["url"]) for c in changes["added"]] == [
        (105, "https://t.me/AdalSotKz/2000")
    ]
    assert [(c["footnote"], c["url"]) for c in changes["removed"]] == [
        (2, "https://bureau.kz/goryachee/snova-proneslo/")
    ]
    [changed] = changes["changed"]
    assert changed["footnote"] == 3
    assert changed["old_url"].endswith("/3577551185907039/")
    assert changed["new_url"].endswith("/3577551185907040/")
    assert 2 in problems(out, "unresolved_marker")

    # nothing already stored is deleted: version 1 keeps all its rows
    after = counts(home)
    assert after["chronicle_version"] == 2 and after["chronicle"] == 1
    assert after["entry"] == before["entry"] + 104
    assert after["citation"] == before["citation"] + 96
    [(v1_entries,)] = query(
        home,
        "SELECT count(*) FROM entry WHERE version_id = :v",
        v=first["version"]["id"],
    )
    assert v1_entries == 103
    assert after["source"] == before["source"] + 2  # the new post and the changed one

    human = cli("ingest", str(edited))  # identical to the latest version now
    assert human.code == 0 and "unchanged" in human.stdout
    assert counts(home) == after


def test_html_of_same_chronicle_is_a_version_when_title_matches(
    cli: Cli, home: Home, tmp_path: Path
) -> None:
    """Same title and period: the HTML page of an already ingested text is the same document."""
    text_version = tmp_path / "may.txt"
    text_version.write_text(MAY_TITLE + "\n\n" + MAY_2024.read_text(encoding="utf-8"))
    first = ingest_json(cli, text_version)
    html_file = chronicle_html_file(MAY_2024, tmp_path, MAY_TITLE)
    out = ingest_json(cli, html_file)
    assert out["chronicle"]["id"] == first["chronicle"]["id"]
    assert out["unchanged"] is True  # same entries and footnotes, only the markup differs


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda d: d / "nope.txt", "no such file"),
    "empty": (lambda d: _write(d / "empty.txt", b""), "is empty"),
    "binary": (lambda d: _write(d / "x.txt", bytes(range(256)) * 64), "binary"),
    "pdf": (lambda d: _write(d / "x.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "binary"),
    "no-dates": (
        lambda d: _write(d / "notes-2024.txt", b"Notes\n\nNothing dated here[1]\n"),
        "no dated entries",
    ),
    "no-year": (
        lambda d: _write(d / "chronicle.txt", b"May 1, Almaty, a[1]\n\n[1] https://x.kz/\n"),
        "--year",
    ),
    "too-large": (
        lambda d: _write(d / "big-2024.txt", b"May 1, Almaty, text\n" * (1_100_000)),
        "MB",
    ),
    "directory": (lambda d: d, "not a file"),
    "scheme": (lambda d: Path("ftp://example.kz/chronicle.txt"), "only http(s)"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input(cli: Cli, home: Home, tmp_path: Path, case: str) -> None:
    ingest_json(cli, NOV_2023)
    before = counts(home)
    make, message = BAD_INPUTS[case]
    target = make(tmp_path)
    arg = "ftp://example.kz/chronicle.txt" if case == "scheme" else str(target)
    result = cli("ingest", arg)
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert counts(home) == before


def test_bad_input_on_a_fresh_home_creates_nothing(cli: Cli, home: Home, tmp_path: Path) -> None:
    result = cli("ingest", str(_write(tmp_path / "empty.txt", b"")))
    assert result.code == 2
    assert untouched(home)


def test_windows_1251_is_decoded(cli: Cli, home: Home, tmp_path: Path) -> None:
    legacy = _write(tmp_path / MAY_2024.name, MAY_2024.read_text(encoding="utf-8").encode("cp1251"))
    out = ingest_json(cli, legacy)
    assert (out["entries"], out["markers"], out["footnotes"]) == (103, 104, 96)
    [(text,)] = query(home, "SELECT text FROM entry WHERE position = 1")
    assert "“JAD”" in text


# --- by URL, from a loopback server -------------------------------------------------------


@dataclass
class Site:
    base: str
    pages: dict[str, tuple[str, bytes]]
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path as requested, UA)


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site(base="", pages={})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            state.requests.append((self.path, self.headers.get("User-Agent", "")))
            page = state.pages.get(self.path)
            if page is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", page[0])
            self.send_header("Content-Length", str(len(page[1])))
            self.end_headers()
            self.wfile.write(page[1])

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _dead_proxy(monkeypatch: pytest.MonkeyPatch, bypass_loopback: bool) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens on the discard port
    for name in ("no_proxy", "NO_PROXY"):
        if bypass_loopback:
            monkeypatch.setenv(name, "localhost,127.0.0.1")
        else:
            monkeypatch.delenv(name, raising=False)


def test_ingest_by_url(cli: Cli, home: Home, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    _dead_proxy(monkeypatch, bypass_loopback=True)
    page = chronicle_html(MAY_2024.read_text(encoding="utf-8"), MAY_TITLE).encode()
    site.pages["/monitoring-may/"] = ("text/html; charset=UTF-8", page)
    url = site.base + "/monitoring-may/"
    out = ingest_json(cli, url)
    assert out["chronicle"]["url"] == url
    assert out["version"]["origin"] == url and out["version"]["media_type"] == "text/html"
    assert (out["entries"], out["markers"], out["footnotes"]) == (103, 104, 96)
    assert site.requests[0][0] == "/monitoring-may/"
    assert site.requests[0][1].startswith("sourcekeep/")
    [(platform, host)] = query(
        home, "SELECT platform, host FROM source WHERE id = :id", id=out["page_source"]
    )
    assert (platform, host) == ("web", "127.0.0.1")
    assert counts(home)["source"] == 96  # 95 cited + the chronicle page

    # the same URL again, with a changed page: a new version of the same chronicle
    site.pages["/monitoring-may/"] = ("text/html", page.replace(b"snova-proneslo", b"snova"))
    again = ingest_json(cli, url)
    assert again["chronicle"]["id"] == out["chronicle"]["id"]
    assert again["version"]["number"] == 2
    assert [c["footnote"] for c in again["changes"]["changed"]] == [2]


def test_ingest_by_url_uses_proxy_from_environment(
    cli: Cli, home: Home, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dead_proxy(monkeypatch, bypass_loopback=False)
    site.pages["/c.txt"] = ("text/plain", MAY_2024.read_bytes())
    result = cli("ingest", site.base + "/c.txt")
    assert result.code == 2 and "cannot fetch" in result.stderr
    assert site.requests == []  # the request went to the (dead) proxy, not to the site
    assert len(result.stderr.strip().splitlines()) == 1


def test_ingest_by_url_through_proxy_option(
    cli: Cli, home: Home, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dead_proxy(monkeypatch, bypass_loopback=False)
    url = "http://tirek.example/2024/monitoring.txt"
    site.pages[url] = ("text/plain; charset=utf-8", MAY_2024.read_bytes())  # proxy sees full URL
    out = ingest_json(cli, url, "--proxy", site.base)
    assert site.requests[0][0] == url
    assert out["chronicle"]["url"] == url and out["chronicle"]["period"] == "2024-05"
    assert out["entries"] == 103


def test_ingest_by_url_errors(
    cli: Cli, home: Home, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dead_proxy(monkeypatch, bypass_loopback=True)
    missing = cli("ingest", site.base + "/gone/")
    assert missing.code == 2 and "404" in missing.stderr
    site.pages["/empty"] = ("text/html", b"")
    empty = cli("ingest", site.base + "/empty")
    assert empty.code == 2 and "empty" in empty.stderr
    assert untouched(home)


def test_concurrent_ingests_of_one_chronicle_store_it_once(home: Home) -> None:
    """Ingests racing each other never end in a traceback or a half-stored chronicle."""
    import subprocess
    import sys

    from scheduler.cli.common import EXIT_USAGE

    run_subprocess_env = home.env()
    # the schema exists before the race starts, as in a real installation
    engine = sa.create_engine(home.database_url.replace("postgresql://", "postgresql+psycopg://"))
    from provenance.db import upgrade

    home.path.mkdir(parents=True, exist_ok=True)
    upgrade(engine)
    exe = str(Path(sys.executable).parent / "sourcekeep")
    procs = [
        subprocess.Popen(
            [exe, "ingest", str(MAY_2024), "--json"],
            env=run_subprocess_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for code, _out, err in results:
        assert code in (0, EXIT_USAGE), err
        assert "Traceback" not in err
    assert any(code == 0 for code, _o, _e in results)
    with engine.connect() as conn:
        chronicles = conn.execute(sa.text("SELECT count(*) FROM chronicle")).scalar_one()
        versions = conn.execute(sa.text("SELECT count(*) FROM chronicle_version")).scalar_one()
        sources = conn.execute(sa.text("SELECT count(*) FROM source")).scalar_one()
    engine.dispose()
    assert (chronicles, versions, sources) == (1, 1, 95)
