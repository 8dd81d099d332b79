"""The fixture web, seen from standard-library clients only: what every crawler test relies on."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import http.client
import json
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest

from tests.fixtureweb import catalogue as cat
from tests.fixtureweb.news import MONTHS
from tests.fixtureweb.web import FixtureWeb

REPO = Path(__file__).resolve().parent.parent


# -- standard-library clients ---------------------------------------------------------------
def connection(web: FixtureWeb, url: str, timeout: float = 10) -> http.client.HTTPConnection:
    """A connection through the proxy: CONNECT tunnel for https, absolute-form for http."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            "127.0.0.1", web.port, timeout=timeout, context=web.ssl_context()
        )
        conn.set_tunnel(parts.hostname or "", parts.port or 443)
        return conn
    return http.client.HTTPConnection("127.0.0.1", web.port, timeout=timeout)


def target(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return url


def fetch(
    web: FixtureWeb, url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = connection(web, url)
    conn.request(method, target(url), headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def raw_exchange(web: FixtureWeb, url: str, timeout: float = 10) -> bytes:
    """Every byte the proxy sends back for one request (``Connection: close``), over TLS."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    sock = socket.create_connection(("127.0.0.1", web.port), timeout=timeout)
    sock.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
    tls = web.ssl_context().wrap_socket(sock, server_hostname=host)
    path = target(url)
    tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    data = bytearray()
    while chunk := tls.recv(65536):
        data += chunk
    tls.close()
    return bytes(data)


def split_head(raw: bytes) -> tuple[str, dict[str, list[str]], bytes]:
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields.setdefault(name, []).append(value.strip())
    return lines[0], fields, rest


def main_text(page: str) -> str:
    match = re.search(r'<div class="article-body">(.*?)</div>', page, re.S)
    assert match, "no article body"
    return match.group(1)


# -- transport -----------------------------------------------------------------------------
def test_plain_http_through_proxy_serves_a_news_article(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    url = "http://kaztag.kz/ru/news/prigovor-aygerim-tleuzhanovoy"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    request = urllib.request.Request(url, headers={"User-Agent": "sourcekeep-test/1"})
    with opener.open(request, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=UTF-8"
        body = resp.read()
    page = body.decode("utf-8")
    for marker in (
        'property="og:title"',
        'property="article:published_time"',
        'name="author"',
        'class="main-menu"',
        "Самое читаемое",
        "site-footer",
    ):
        assert marker in page
    today = dt.date.today()
    assert f"{today.day} {MONTHS[today.month - 1]} {today.year}" in page
    assert 5000 <= len(body) <= 40000
    assert len(re.findall(r"<p>", main_text(page))) >= 3
    (again,) = web.requests_for(url)
    assert again.header("User-Agent") == "sourcekeep-test/1"
    assert again.method == "GET" and again.tunnel is None
    (sent,) = web.responses_for(url)
    assert sent.payload == body and sent.complete
    assert sent.head.startswith(b"HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: ")
    assert web.hits(url) == 1


def test_connect_tls_certificate_is_minted_for_the_sni_name(
    fresh_fixture_web: FixtureWeb,
) -> None:
    web = fresh_fixture_web
    for host in ("rus.azattyq.org", "t.me"):
        sock = socket.create_connection(("127.0.0.1", web.port), timeout=10)
        sock.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        assert sock.recv(4096) == b"HTTP/1.1 200 Connection established\r\n\r\n"
        with web.ssl_context().wrap_socket(sock, server_hostname=host) as tls:
            cert = tls.getpeercert()
            assert ("DNS", host) in cert["subjectAltName"]
            der = tls.getpeercert(binary_form=True)
            assert hashlib.sha256(der).hexdigest() == web.fingerprint(host)
            tls.sendall(f"HEAD / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert tls.recv(65536).startswith(b"HTTP/1.1 ")  # the server saw the hello
    assert [(c.target, c.sni) for c in web.connects()] == [
        ("rus.azattyq.org:443", "rus.azattyq.org"),
        ("t.me:443", "t.me"),
    ]
    # Without the fixture CA the same certificate does not verify.
    sock = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    sock.sendall(b"CONNECT vlast.kz:443 HTTP/1.1\r\nHost: vlast.kz:443\r\n\r\n")
    sock.recv(4096)
    with pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(sock, server_hostname="vlast.kz")
    sock.close()


def test_expired_certificate_host_fails_verification_but_answers(
    fresh_fixture_web: FixtureWeb,
) -> None:
    web = fresh_fixture_web
    with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
        fetch(web, cat.TLS_EXPIRED_URL)
    conn = http.client.HTTPSConnection(
        "127.0.0.1", web.port, timeout=10, context=ssl._create_unverified_context()
    )
    conn.set_tunnel(cat.TLS_EXPIRED_HOST, 443)
    conn.request("GET", urlsplit(cat.TLS_EXPIRED_URL).path)
    assert conn.getresponse().status == 200
    conn.close()


def test_keep_alive_inside_a_tunnel_and_on_plain_connections(
    fresh_fixture_web: FixtureWeb,
) -> None:
    web = fresh_fixture_web
    conn = connection(web, "https://orda.kz/")
    for i in range(3):
        conn.request("GET", f"/article-{i}/")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Connection") is None
        assert len(resp.read()) == int(resp.getheader("Content-Length"))
    conn.close()
    assert len(web.connects()) == 1
    plain = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    sockets = []
    for host in ("vlast.kz", "bureau.kz", "vlast.kz"):
        plain.request("GET", f"http://{host}/novosti/1/")
        resp = plain.getresponse()
        assert resp.status == 200
        resp.read()
        sockets.append(plain.sock)
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3  # one connection
    plain.request("GET", "http://cmn.kz/x/", headers={"Connection": "close"})
    resp = plain.getresponse()
    assert resp.getheader("Connection") == "close"
    resp.read()
    assert plain.sock is None  # http.client closed it as the server said
    plain.close()


def test_chunked_transfer_framing_is_exact(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    raw = raw_exchange(web, cat.CHUNKED)
    status, fields, rest = split_head(raw)
    assert status == "HTTP/1.1 200 OK"
    assert fields["Transfer-Encoding"] == ["chunked"] and "Content-Length" not in fields
    body, sizes = bytearray(), []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        sizes.append(size)
        body += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
        if size == 0:
            break
    assert rest == b""
    assert sizes[:3] == [123, 4096, 8000] and len(set(sizes)) > 2
    (sent,) = web.responses_for(cat.CHUNKED)
    assert sent.chunked and sent.payload == bytes(body)
    assert bytes(body).decode("utf-8").rstrip().endswith("</html>")


@pytest.mark.parametrize(
    ("url", "coding", "decode"),
    [
        (cat.GZIP, "gzip", gzip.decompress),
        (cat.BROTLI, "br", brotli.decompress),
        (cat.GZIP_CHUNKED, "gzip", gzip.decompress),
    ],
)
def test_compressed_payload_is_recorded_as_sent(
    fresh_fixture_web: FixtureWeb, url: str, coding: str, decode: object
) -> None:
    web = fresh_fixture_web
    resp, body = fetch(web, url, {"Accept-Encoding": "gzip, deflate, br"})
    assert resp.getheader("Content-Encoding") == coding
    page = decode(body).decode("utf-8")  # type: ignore[operator]
    assert "<html" in page and "</html>" in page
    (sent,) = web.responses_for(url)
    assert sent.payload_sha256 == hashlib.sha256(body).hexdigest()
    if url == cat.GZIP_CHUNKED:
        assert resp.getheader("Transfer-Encoding") == "chunked"
    else:
        assert int(resp.getheader("Content-Length")) == len(body)


def test_connection_reset_mid_response(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        fetch(web, cat.CONNECTION_RESET)
    (sent,) = web.responses_for(cat.CONNECTION_RESET)
    assert not sent.complete
    assert len(sent.payload) == cat.RESET_SENT_BYTES
    assert sent.header("Content-Length") == str(cat.RESET_BODY_LENGTH)


def test_slow_drip_outlasts_a_client_timeout(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    conn = connection(web, cat.SLOW_DRIP, timeout=3)
    conn.request("GET", target(cat.SLOW_DRIP))
    resp = conn.getresponse()
    assert resp.status == 200
    length = int(resp.getheader("Content-Length"))
    # Each read returns within the socket timeout, yet a 3-second deadline is far from enough.
    received, deadline = 0, time.monotonic() + 3
    while time.monotonic() < deadline:
        received += len(resp.read1(65536))
    assert 256 <= received <= 256 * 5 < length
    conn.close()
    (sent,) = web.responses_for(cat.SLOW_DRIP)
    assert not sent.complete


def test_429_with_retry_after_then_200_and_500_then_200(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    first, _ = fetch(web, cat.RETRY_429_THEN_200)
    assert (first.status, first.getheader("Retry-After")) == (429, "1")
    second, body = fetch(web, cat.RETRY_429_THEN_200)
    assert second.status == 200 and b"</html>" in body
    assert [fetch(web, cat.ERROR_500_THEN_200)[0].status for _ in range(3)] == [500, 200, 200]
    web.reset()
    assert fetch(web, cat.ERROR_500_THEN_200)[0].status == 500


def test_redirect_chain_and_loop(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    seen, url = [], cat.REDIRECT_CHAIN
    for _ in range(5):
        resp, _ = fetch(web, url)
        seen.append(resp.status)
        if resp.status not in (301, 302):
            break
        url = resp.getheader("Location")
    assert seen == [301, 302, 200] and url == cat.REDIRECT_CHAIN_FINAL
    assert [r.url for r in web.requests_for()] == list(cat.REDIRECT_CHAIN_HOPS)
    resp, _ = fetch(web, cat.REDIRECT_LOOP)
    assert resp.getheader("Location") == cat.REDIRECT_LOOP_OTHER
    resp, _ = fetch(web, cat.REDIRECT_LOOP_OTHER)
    assert resp.getheader("Location") == cat.REDIRECT_LOOP


def test_unknown_host_answers_502_for_connect_and_plain(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    sock = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    sock.sendall(b"CONNECT ratel.kz:443 HTTP/1.1\r\nHost: ratel.kz:443\r\n\r\n")
    status, fields, _ = split_head(sock.recv(65536))
    assert status == "HTTP/1.1 502 Bad Gateway" and fields["Connection"] == ["close"]
    sock.close()
    with pytest.raises(OSError, match="502"):
        fetch(web, cat.UNKNOWN_HOST_URL)
    resp, body = fetch(web, "http://ratel.kz/raw/deleted")
    assert resp.status == cat.UNKNOWN_HOST_STATUS and b"DNS lookup failed" in body


def test_status_codes_and_the_unusual_answer(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    for url, status in [
        (cat.STATUS_404, 404),
        (cat.STATUS_410, 410),
        (cat.STATUS_403, 403),
        (cat.STATUS_451, 451),
    ]:
        assert fetch(web, url)[0].status == status
    status, fields, body = split_head(raw_exchange(web, cat.TWO_COOKIES))
    assert status == "HTTP/1.1 200 Everything Fine"
    assert len(fields["Set-Cookie"]) == 2
    assert fields["Content-Length"] == [str(len(body))]
    resp, _ = fetch(web, cat.HOME_REDIRECT)
    assert (resp.status, resp.getheader("Location")) == (301, cat.HOME_REDIRECT_TARGET)


def test_legacy_charsets_oversized_pdf_and_jpeg(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    resp, body = fetch(web, cat.WINDOWS_1251)
    assert resp.getheader("Content-Type") == "text/html"
    assert b"charset" not in body.lower()
    assert "Самое читаемое" in body.decode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    resp, body = fetch(web, cat.KOI8_R)
    assert "charset" not in resp.getheader("Content-Type")
    assert b'charset=koi8-r"' in body and "Самое читаемое" in body.decode("koi8_r")
    resp, body = fetch(web, cat.OVERSIZED, method="HEAD")
    assert int(resp.getheader("Content-Length")) == cat.OVERSIZED_BYTES and body == b""
    resp, body = fetch(web, cat.OVERSIZED_CHUNKED)
    assert len(body) == cat.OVERSIZED_BYTES and resp.getheader("Content-Length") is None
    resp, body = fetch(web, cat.PDF)
    assert resp.getheader("Content-Type") == "application/pdf"
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    xref = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert body[xref:].startswith(b"xref\n")
    for line in body[xref:].split(b"\n")[3:9]:
        offset = int(line[:10])
        assert re.match(rb"\d+ 0 obj", body[offset:])
    resp, body = fetch(web, cat.JPEG)
    assert resp.getheader("Content-Type") == "image/jpeg"
    assert body[:4] == b"\xff\xd8\xff\xe0" and body[-2:] == b"\xff\xd9"
    assert b"\xff\xc0" in body and b"\xff\xda" in body


# -- time ----------------------------------------------------------------------------------
def test_stages_change_the_article_over_time(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    url = cat.TIMELINE_ARTICLE
    pages = {}
    for stage in ("v1", "v2", "boilerplate"):
        web.set_stage(url, stage)
        resp, body = fetch(web, url)
        assert resp.status == 200
        pages[stage] = body.decode("utf-8")
    assert main_text(pages["v1"]) != main_text(pages["v2"])
    assert main_text(pages["v1"]) == main_text(pages["boilerplate"])
    assert pages["v1"] != pages["boilerplate"]
    assert "Самое читаемое" in pages["boilerplate"]
    web.set_stage(url, "404")
    assert fetch(web, url)[0].status == 404
    web.set_stage(url, "home")
    resp, _ = fetch(web, url)
    assert (resp.status, resp.getheader("Location")) == (301, "https://rus.azattyq.org/")
    # the same URL over plain http follows the same stage
    assert fetch(web, url.replace("https://", "http://"))[0].status == 301


def test_stage_through_the_control_url(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    url = "https://vlast.kz/novosti/57739-policia.html"
    resp, body = fetch(web, cat.control_url("stage", url=url, stage="410"))
    assert resp.status == 200 and json.loads(body) == {"url": url, "stage": "410"}
    assert fetch(web, url)[0].status == 410
    resp, body = fetch(web, cat.control_url("stage", url=url, stage="v7"))
    assert resp.status == 400 and "unknown stage" in json.loads(body)["error"]
    resp, body = fetch(web, cat.control_url("hits", url=url))
    assert json.loads(body)["hits"] == 1
    fetch(web, cat.control_url("reset"))
    assert fetch(web, url)[0].status == 200


def test_soft404_host_answers_unknown_urls_with_its_home_page(
    fresh_fixture_web: FixtureWeb,
) -> None:
    web = fresh_fixture_web
    _, home = fetch(web, "https://respublika.kz.media/")
    resp, missing = fetch(web, cat.SOFT404_MISSING)
    assert resp.status == 200 and missing == home
    _, probe = fetch(web, "https://respublika.kz.media/no-such-page-8f3a9c/")
    assert probe == home
    _, article = fetch(web, cat.SOFT404_ARTICLE)
    assert article != home and b"article:published_time" in article


# -- platforms -----------------------------------------------------------------------------
def test_telegram_posts_embeds_media_and_deleted_post(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    _, embed = fetch(web, cat.tg_embed(cat.TG_PHOTO_POST))
    page = embed.decode()
    assert "tgme_widget_message_text" in page and "tgme_widget_message_views" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+" class="time">', page)
    photo = re.search(r"tgme_widget_message_photo_wrap[^>]*background-image:url\('([^']+)'\)", page)
    assert photo and photo.group(1).startswith("https://cdn4.telesco.pe/file/")
    resp, jpeg = fetch(web, photo.group(1))
    assert resp.getheader("Content-Type") == "image/jpeg" and jpeg[:2] == b"\xff\xd8"
    _, text_only = fetch(web, cat.tg_embed(cat.TG_TEXT_POST))
    assert b"tgme_widget_message_text" in text_only and b"photo_wrap" not in text_only
    _, video = fetch(web, cat.tg_embed(cat.TG_VIDEO_POST))
    mp4 = re.search(rb'<video src="([^"]+\.mp4)"', video)
    assert mp4 and fetch(web, mp4.group(1).decode())[1][4:8] == b"ftyp"
    resp, deleted = fetch(web, cat.TG_DELETED_POST)
    assert resp.status == 200 and b"tgme_page_post" in deleted
    resp, deleted = fetch(web, cat.tg_embed(cat.TG_DELETED_POST))
    assert resp.status == 200
    assert b'<div class="tgme_widget_message_error">Post not found</div>' in deleted
    web.set_stage(cat.TG_TEXT_POST, "deleted")
    assert b"Post not found" in fetch(web, cat.tg_embed(cat.TG_TEXT_POST))[1]


def test_facebook_login_wall_session_and_unavailable(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    for url in (cat.FB_GROUP_POST, cat.FB_WATCH, cat.FB_REEL, cat.FB_WEB_GROUP_POST):
        resp, body = fetch(web, url)
        assert resp.status == 200 and cat.FB_LOGIN_MARKER.encode() in body
        assert b'id="login_form"' in body
    resp, body = fetch(web, cat.FB_GROUP_POST, {"Cookie": "c_user=100001; xs=12%3Aabc"})
    assert cat.FB_LOGIN_MARKER.encode() not in body
    assert b'data-ad-preview="message"' in body
    request = web.requests_for(cat.FB_GROUP_POST)[-1]
    assert request.header("Cookie") == "c_user=100001; xs=12%3Aabc"
    for cookie in ({}, {"Cookie": "c_user=1; xs=2"}):
        resp, body = fetch(web, cat.FB_UNAVAILABLE, cookie)
        assert resp.status == 200 and cat.FB_UNAVAILABLE_MARKER.encode() in body


def test_instagram_login_redirect_and_caption_embed(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    resp, _ = fetch(web, cat.IG_POST)
    assert resp.status == 302
    assert resp.getheader("Location").startswith(cat.IG_LOGIN_PREFIX + "?next=")
    resp, body = fetch(web, cat.IG_EMBED)
    assert resp.status == 200 and b'class="Caption"' in body
    resp, body = fetch(web, cat.IG_POST, {"Cookie": "sessionid=abc"})
    assert resp.status == 200 and b"og:description" in body


def test_youtube_watch_and_oembed_by_video_id(fresh_fixture_web: FixtureWeb) -> None:
    web = fresh_fixture_web
    resp, body = fetch(web, cat.yt_oembed(cat.YT_VIDEO))
    assert resp.status == 200 and resp.getheader("Content-Type") == "application/json"
    answer = json.loads(body)
    assert answer["type"] == "video" and answer["provider_name"] == "YouTube"
    assert fetch(web, cat.yt_oembed(cat.YT_NO_EMBED))[0].status == 401
    assert fetch(web, cat.yt_oembed(cat.YT_DELETED))[0].status == 404
    resp, body = fetch(web, cat.YT_DELETED)
    assert resp.status == 200 and b"Video unavailable" in body
    resp, body = fetch(web, cat.YT_VIDEO)
    assert b"ytInitialPlayerResponse" in body and b'itemprop="datePublished"' in body


# -- running on its own ----------------------------------------------------------------------
def test_runs_as_a_separate_process_and_obeys_the_control_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtureweb", "--page-size", "30000"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        proxy = proc.stdout.readline().split()[1]
        ca_path = proc.stdout.readline().split()[1]
        handler = urllib.request.ProxyHandler({"http": proxy, "https": proxy})
        https = urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca_path))
        opener = urllib.request.build_opener(handler, https)
        url = "https://bureau.kz/novosti/fond-zastavit-zamolchat/"
        with opener.open(url, timeout=10) as resp:
            assert 25000 <= len(resp.read()) <= 36000
        with opener.open(cat.control_url("stage", url=url, stage="404"), timeout=10) as resp:
            assert json.loads(resp.read())["stage"] == "404"
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(url, timeout=10)
        assert err.value.code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_recorded_payload_matches_what_the_client_received(
    fresh_fixture_web: FixtureWeb,
) -> None:
    web = fresh_fixture_web
    urls = [cat.GZIP, cat.CHUNKED, cat.PDF, "https://adilsoz.kz/news/x.html"]
    received = {url: fetch(web, url, {"Accept-Encoding": "gzip"})[1] for url in urls}
    for url, body in received.items():
        (sent,) = web.responses_for(url)
        assert sent.payload_sha256 == hashlib.sha256(body).hexdigest()
    gz = web.responses_for(cat.GZIP)[0]
    assert zlib.decompress(gz.payload, 16 + zlib.MAX_WBITS).startswith(b"<!DOCTYPE html>")


def test_page_size_and_negotiated_compression_are_configurable() -> None:
    with FixtureWeb(page_size=30000, compress=True) as web:
        url = "https://ulysmedia.kz/news/23449-media-kurultai/"
        resp, body = fetch(web, url, {"Accept-Encoding": "gzip, deflate, br"})
        assert resp.getheader("Content-Encoding") == "br"
        assert 27000 <= len(brotli.decompress(body)) <= 33000
        resp, body = fetch(web, url, {"Accept-Encoding": "gzip"})
        assert resp.getheader("Content-Encoding") == "gzip"
        resp, plain = fetch(web, url)
        assert resp.getheader("Content-Encoding") is None
        assert plain == gzip.decompress(body)
