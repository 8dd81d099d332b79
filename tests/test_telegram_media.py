"""Media of Telegram posts, downloaded at capture time from the embed (CDN links expire):
photos and videos become further captures of the same source, each fetched once."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select

from archive.reader import read_record
from provenance.models import Capture
from provenance.states import FetchOutcome
from tests.archive_support import (
    add_sources,
    archive_env,
    engine_of,
    records_of,
    run_archive,
    warc_files,
    warcio_check,
)
from tests.conftest import Home
from tests.fixtureweb import FixtureWeb, telegram
from tests.fixtureweb import catalogue as cat

pytestmark = pytest.mark.slow

PHOTO = telegram.media_url(cat.TG_PHOTO_POST, "jpg")
VIDEO = telegram.media_url(cat.TG_VIDEO_POST, "mp4")
POSTER = telegram.media_url(cat.TG_VIDEO_POST, "jpg")


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return None


def test_photos_and_video_of_posts_are_captured_from_the_embed(
    home: Home, fresh_fixture_web: FixtureWeb
) -> None:
    web = fresh_fixture_web
    ids = add_sources(home.database_url, home.path, [cat.TG_PHOTO_POST, cat.TG_VIDEO_POST])
    result = run_archive(archive_env(home.env(), web.env()), "--json")
    assert result.code == 0, result.stderr[-3000:]
    assert result.json()["outcomes"] == {"captured": 2}

    expected = {
        PHOTO: (ids[cat.TG_PHOTO_POST], "image/jpeg"),
        VIDEO: (ids[cat.TG_VIDEO_POST], "video/mp4"),
        POSTER: (ids[cat.TG_VIDEO_POST], "image/jpeg"),
    }
    engine = engine_of(home.database_url)
    warc_dir = home.path / "collections" / "sourcekeep" / "archive"
    with Session(engine) as session:
        captures = session.exec(select(Capture).order_by(Capture.id)).all()
        by_url = {c.requested_url: c for c in captures}
        # page + embed + media per post; every media URL fetched once though the page's
        # og:image and the embed both name the photo
        assert sorted(c.requested_url for c in captures) == sorted(
            [
                cat.TG_PHOTO_POST,
                cat.tg_embed(cat.TG_PHOTO_POST),
                cat.TG_VIDEO_POST,
                cat.tg_embed(cat.TG_VIDEO_POST),
                *expected,
            ]
        )
        for url, (source_id, content_type) in expected.items():
            assert web.hits(url) == 1, url
            (sent,) = web.responses_for(url)
            capture = by_url[url]
            assert capture.source_id == source_id
            assert capture.outcome is FetchOutcome.CAPTURED
            assert capture.content_type == content_type
            assert capture.payload_sha256 == sent.payload_sha256
            assert capture.payload_size == len(sent.payload) > 0
            magic = b"\xff\xd8" if content_type == "image/jpeg" else b"ftyp"
            assert magic in sent.payload[:16]
            records = {r.record_type: r for r in records_of(session, capture.id)}
            response = records["response"]
            stored = read_record(
                warc_dir / response.warc_filename, response.offset, response.length
            )
            assert stored.http_status == 200
            assert _header(stored.http_headers, "Content-Type") == content_type
            assert hashlib.sha256(stored.payload).hexdigest() == sent.payload_sha256
            metadata = records["metadata"]
            fields = read_record(
                warc_dir / metadata.warc_filename, metadata.offset, metadata.length
            ).payload.decode()
            assert "role: media\r\n" in fields
            assert f"via: {_post_of(url)}\r\n" in fields
    engine.dispose()
    check = warcio_check(warc_files(home.path))
    assert check.returncode == 0, check.stdout + check.stderr


def _post_of(media: str) -> str:
    return cat.TG_PHOTO_POST if media == PHOTO else cat.TG_VIDEO_POST
