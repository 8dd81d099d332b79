"""URL handling: normalization, tracking parameters, platforms, repairs, preview links."""

from __future__ import annotations

import pytest

from provenance.states import Platform
from provenance.urls import (
    host_of,
    is_http_url,
    is_preview_link,
    normalize_url,
    platform_of,
    repair_url,
    scheme_of,
    tracking_params,
    without_preview,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Rus.Azattyq.ORG/a/1.html", "https://rus.azattyq.org/a/1.html"),
        ("https://example.kz:443/a", "https://example.kz/a"),
        ("http://example.kz:80/a", "http://example.kz/a"),
        ("http://example.kz:8080/a", "http://example.kz:8080/a"),
        ("https://example.kz/a#comments", "https://example.kz/a"),
        ("https://example.kz", "https://example.kz/"),
        ("https://example.kz/a?", "https://example.kz/a"),
        ("https://example.kz/a?utm_source=fb&utm_medium=x", "https://example.kz/a"),
        ("https://example.kz/a?b=2&fbclid=IwAR0&a=1", "https://example.kz/a?b=2&a=1"),
        (
            "https://example.kz/a?z=1&gclid=x&y=2&yclid=3&mc_cid=4&mc_eid=5",
            "https://example.kz/a?z=1&y=2",
        ),
        (
            "https://www.instagram.com/p/C7efDXGtQ_5/?igshid=MzRl",
            "https://www.instagram.com/p/C7efDXGtQ_5/",
        ),
        ("https://youtu.be/ybTn1K2bdnM?si=Ab12", "https://youtu.be/ybTn1K2bdnM"),
        (
            "https://www.youtube.com/watch?v=ybTn1K2bdnM&si=x",
            "https://www.youtube.com/watch?v=ybTn1K2bdnM",
        ),
        ("https://example.kz/search?si=1", "https://example.kz/search?si=1"),
        ("https://example.kz/a?q=%d0%b0", "https://example.kz/a?q=%D0%B0"),
        (
            "https://example.kz/новости",
            "https://example.kz/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8",
        ),
        ("  https://example.kz/a  ", "https://example.kz/a"),
        ("https://t.me/AdalSotKz/1877", "https://t.me/AdalSotKz/1877"),
        ("MAILTO:x@example.kz", "mailto:x@example.kz"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_normalize_keeps_query_order_and_spelling() -> None:
    url = "https://example.kz/p?b=2&a=1&c=%20x&utm_campaign=z&d"
    assert normalize_url(url) == "https://example.kz/p?b=2&a=1&c=%20x&d"


def test_normalize_is_idempotent() -> None:
    url = "HTTPS://WWW.Facebook.com:443/groups/x/posts/1/?__tn__=K&fbclid=a#c"
    once = normalize_url(url)
    assert once == "https://www.facebook.com/groups/x/posts/1/"
    assert normalize_url(once) == once


def test_tracking_params_in_order() -> None:
    url = "https://rus.azattyq.org/a/1.html?fbclid=IwAR&x=1&utm_source=tg&UTM_Medium=m"
    assert tracking_params(url) == ["fbclid", "utm_source", "UTM_Medium"]
    assert tracking_params("https://rus.azattyq.org/a/1.html?x=1") == []
    assert tracking_params("https://youtu.be/abc?si=1") == ["si"]
    assert tracking_params("https://example.kz/?si=1") == []


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://t.me/RadioAzattyq/19120", Platform.TELEGRAM),
        ("https://telegram.me/x/1", Platform.TELEGRAM),
        ("https://www.facebook.com/reel/411222858476524", Platform.FACEBOOK),
        ("https://web.facebook.com/groups/ActivistsNotExtremists/posts/1/", Platform.FACEBOOK),
        ("https://m.facebook.com/story.php?id=1", Platform.FACEBOOK),
        ("https://facebook.com/x", Platform.FACEBOOK),
        ("https://fb.watch/abc/", Platform.FACEBOOK),
        ("https://www.instagram.com/p/C7efDXGtQ_5/", Platform.INSTAGRAM),
        ("https://instagram.com/p/1/", Platform.INSTAGRAM),
        ("https://www.youtube.com/watch?v=-tskNBWum10", Platform.YOUTUBE),
        ("https://m.youtube.com/watch?v=1", Platform.YOUTUBE),
        ("https://youtu.be/1", Platform.YOUTUBE),
        ("https://rus.azattyq.org/a/32929363.html", Platform.WEB),
        ("https://notfacebook.com/x", Platform.WEB),
        ("https://t.me.example.kz/x", Platform.WEB),
        ("not a url", Platform.WEB),
    ],
)
def test_platform_of(url: str, platform: Platform) -> None:
    assert platform_of(url) is platform


def test_host_of() -> None:
    assert host_of("https://Rus.Azattyq.org:443/a") == "rus.azattyq.org"
    assert host_of("https://user:pw@example.kz/a") == "example.kz"
    assert host_of("mailto:x@example.kz") == ""


@pytest.mark.parametrize(
    ("url", "repaired"),
    [
        ("mailto:https://adilsoz.kz/a.html", "https://adilsoz.kz/a.html"),
        ("mailto:http://adilsoz.kz/a.html", "http://adilsoz.kz/a.html"),
        ("https//adilsoz.kz/a.html", "https://adilsoz.kz/a.html"),
        ("https:/adilsoz.kz/a.html", "https://adilsoz.kz/a.html"),
        ("http;//adilsoz.kz/a", "http://adilsoz.kz/a"),
        ("www.adilsoz.kz/a", "https://www.adilsoz.kz/a"),
        ("<https://adilsoz.kz/a>", "https://adilsoz.kz/a"),
        ("https://adilsoz.kz/a\u200b", "https://adilsoz.kz/a"),
        ("https://adilsoz.kz/a", None),  # nothing to repair
        ("mailto:editor@adilsoz.kz", None),
        ("ftp://adilsoz.kz/a", None),
        ("see the court decision", None),
        ("", None),
    ],
)
def test_repair_url(url: str, repaired: str | None) -> None:
    assert repair_url(url) == repaired


def test_is_http_url() -> None:
    assert is_http_url("https://rus.azattyq.org/a/1.html")
    assert is_http_url("http://127.0.0.1:8080/x")
    assert is_http_url("http://localhost/x")
    assert not is_http_url("https://exa mple.kz/")
    assert not is_http_url("https:///a")
    assert not is_http_url("https://nodot/a")
    assert not is_http_url("ftp://example.kz/a")
    assert not is_http_url("mailto:https://example.kz/a")
    assert not is_http_url("https://example.kz:99999/a")
    assert scheme_of("mailto:https://x.kz") == "mailto"
    assert scheme_of("www.x.kz") is None


def test_preview_links() -> None:
    assert is_preview_link("https://tirek.info/41066-2/?preview=true")
    assert is_preview_link("https://tirek.info/?p=41066&preview=true")
    assert is_preview_link("https://tirek.info/?preview_id=41066&preview_nonce=ab")
    assert not is_preview_link("https://tirek.info/41066-2/")
    assert not is_preview_link("https://tirek.info/preview=true/")
    assert not is_preview_link("https://tirek.info/?preview=false")
    assert without_preview("https://tirek.info/41066-2/?preview=true") == (
        "https://tirek.info/41066-2/"
    )
    assert without_preview("https://tirek.info/?p=41066&preview=true") == (
        "https://tirek.info/?p=41066"
    )
