"""Platform adapters on real-shaped pages: parsers, companions, media and observations."""

from __future__ import annotations

import json

import pytest

from crawler.cookies import CookiesError, cookie_header, covers, load_cookies
from crawler.heads import REDACTED, redact
from crawler.platforms import adapter_for
from crawler.platforms.facebook import FacebookAdapter
from crawler.platforms.generic import GenericAdapter
from crawler.platforms.probes import HostProbes
from crawler.platforms.telegram import parse_post, parse_views
from crawler.platforms.youtube import oembed_url, video_id, ytdlp_available, ytdlp_metadata
from crawler.results import FetchedExchange, Role, SourceFetch
from provenance.states import FetchOutcome, NetworkFailure, Platform, SourceState

TG_POST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram Widget</title>
</head><body class="body_widget_post emoji_image nodark">
<div class="tgme_widget_message_wrap js-widget_message_wrap date_visible">
 <div class="tgme_widget_message text_not_supported_wrap js-widget_message"
      data-post="AdalSotKz/1652" data-view="eyJjIjoxfQ" data-peer-id="1234">
  <div class="tgme_widget_message_user"><a href="https://t.me/AdalSotKz"><i
   class="tgme_widget_message_user_photo bgcolor2" data-content="A"><img
   src="https://cdn4.telesco.pe/file/avatar.jpg"></i></a></div>
  <div class="tgme_widget_message_bubble">
   <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name"
    href="https://t.me/AdalSotKz"><span dir="auto">Адал Сот</span></a></div>
   <a class="tgme_widget_message_photo_wrap 5312 blured" href="https://t.me/AdalSotKz/1652"
    style="width:800px;background-image:url('https://cdn4.telesco.pe/file/photo-1.jpg')">
    <div class="tgme_widget_message_photo" style="padding-top:75%"></div></a>
   <div class="tgme_widget_message_video_player js-message_video_player">
    <video src="https://cdn4.telesco.pe/file/clip-1.mp4?token=abc"
     class="tgme_widget_message_video js-message_video" width="100%"></video></div>
   <div class="tgme_widget_message_text js-message_text" dir="auto">Суд в Алматы приговорил
    активиста к пяти годам.<br/><br/>Подробнее: <a href="https://kaztag.kz/ru/news/1">kaztag</a>
   </div>
   <div class="tgme_widget_message_footer compact js-message_footer">
    <div class="tgme_widget_message_info short js-message_info">
     <span class="tgme_widget_message_views">1.2K</span><span class="copyonly"> views</span>
     <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"
      href="https://t.me/AdalSotKz/1652"><time datetime="2024-05-03T10:15:42+00:00"
      class="time">10:15</time></a></span>
    </div></div></div></div></div></body></html>"""

TG_TEXT_ONLY = """<html><body><div class="tgme_widget_message js-widget_message"
 data-post="RadioAzattyq/19120"><div class="tgme_widget_message_bubble">
 <div class="tgme_widget_message_author"><a class="tgme_widget_message_owner_name"
  href="https://t.me/RadioAzattyq"><span dir="auto">Azattyq</span></a></div>
 <div class="tgme_widget_message_text js-message_text" dir="auto">Only words here.</div>
 <span class="tgme_widget_message_views">845</span>
 <a class="tgme_widget_message_date"><time datetime="2024-05-20T08:00:00+00:00">08:00</time></a>
</div></div></body></html>"""

TG_DELETED = """<html><body class="body_widget_post"><div class="tgme_widget_message_wrap">
 <div class="tgme_widget_message js-widget_message" data-post="AdalSotKz/99999">
  <div class="tgme_widget_message_bubble">
   <div class="tgme_widget_message_error">Post not found</div>
  </div></div></div></body></html>"""

FB_LOGIN = """<html><head><title>Log in to Facebook | Facebook</title></head><body>
<div>You must log in to continue.</div>
<form id="login_form" action="/login/device-based/regular/login/" method="post">
<input name="email"><input type="password" name="pass"></form></body></html>"""

FB_UNAVAILABLE = """<html><head><title>Facebook</title></head><body><div role="main">
<h2>This content isn\u2019t available right now</h2><p>When this happens, it\u2019s usually
because the owner only shared it with a small group of people.</p></div></body></html>"""

FB_POST = """<html><head><title>Activists Not Extremists | Facebook</title></head><body>
<div role="article"><p>Today the court in Astana heard the case of ...</p></div></body></html>"""

IG_EMBED = """<html><body><div class="Embed"><div class="EmbeddedMedia">
<img class="EmbeddedMediaImage" src="https://scontent.cdninstagram.com/x.jpg"></div>
<div class="Caption"><a class="CaptionUsername">activist</a> Free political prisoners</div>
</div></body></html>"""

YT_PAGE = """<html><head><title>Press conference - YouTube</title>
<meta itemprop="datePublished" content="2024-05-10"></head><body>
<script>var ytInitialPlayerResponse = {"playabilityStatus":{"status":"OK"}};</script>
</body></html>"""

YT_GONE_PAGE = """<html><head><title>YouTube</title></head><body>
<script>var ytInitialPlayerResponse = {"playabilityStatus":{"status":"ERROR",
"reason":"Video unavailable"}};</script></body></html>"""


def ex(
    role: Role,
    url: str,
    body: str | bytes = b"",
    status: int | None = 200,
    final_url: str | None = None,
    outcome: FetchOutcome = FetchOutcome.CAPTURED,
    content_type: str = "text/html; charset=utf-8",
    error: str | None = None,
    network_failure: NetworkFailure | None = None,
) -> FetchedExchange:
    return FetchedExchange(
        role=role,
        requested_url=url,
        final_url=final_url or url,
        outcome=outcome,
        status=status,
        headers=[("Content-Type", content_type)],
        body=body.encode("utf-8") if isinstance(body, str) else body,
        error=error,
        network_failure=network_failure,
    )


def fetch_of(url: str, *exchanges: FetchedExchange) -> SourceFetch:
    return SourceFetch(source_id=1, url=url, exchanges=list(exchanges))


TG_URL = "https://t.me/AdalSotKz/1652"
TG_EMBED = "https://t.me/AdalSotKz/1652?embed=1&mode=tme"


def test_adapters_are_picked_by_platform() -> None:
    assert adapter_for(TG_URL).platform is Platform.TELEGRAM
    assert adapter_for("https://web.facebook.com/groups/x/posts/1/").platform is Platform.FACEBOOK
    assert adapter_for("https://m.facebook.com/watch/?v=882388233492445").platform is (
        Platform.FACEBOOK
    )
    assert adapter_for("https://www.instagram.com/p/C7efDXGtQ_5/").platform is Platform.INSTAGRAM
    assert adapter_for("https://youtu.be/ybTn1K2bdnM").platform is Platform.YOUTUBE
    assert adapter_for("https://kaztag.kz/ru/news/1").platform is Platform.WEB


def test_companions_are_the_platforms_own_views() -> None:
    assert [(c.url, c.role) for c in adapter_for(TG_URL).companions(TG_URL)] == [
        (TG_EMBED, Role.EMBED)
    ]
    ig = "https://www.instagram.com/p/C7efDXGtQ_5/?igsh=abc"
    assert [c.url for c in adapter_for(ig).companions(ig)] == [
        "https://www.instagram.com/p/C7efDXGtQ_5/embed/captioned/"
    ]
    yt = "https://www.youtube.com/watch?v=-tskNBWum10&t=5"
    (oembed,) = adapter_for(yt).companions(yt)
    assert oembed.role is Role.OEMBED
    assert oembed.url == (
        "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3D"
        "-tskNBWum10&format=json"
    )
    assert video_id("https://youtu.be/ybTn1K2bdnM?si=x") == "ybTn1K2bdnM"
    assert video_id("https://www.youtube.com/shorts/ybTn1K2bdnM") == "ybTn1K2bdnM"
    assert oembed_url("https://www.youtube.com/@channel") is None
    assert adapter_for("https://t.me/AdalSotKz").companions("https://t.me/AdalSotKz") == []


def test_telegram_post_is_parsed() -> None:
    post = parse_post(TG_POST)
    assert post.found and post.error is None
    assert post.post == "AdalSotKz/1652"
    assert post.author == "Адал Сот"
    assert post.text.startswith("Суд в Алматы приговорил активиста к пяти годам.")
    assert "\n\nПодробнее: kaztag" in post.text
    assert post.datetime == "2024-05-03T10:15:42+00:00"
    assert post.views == 1200 and post.views_text == "1.2K"
    assert post.photos == ["https://cdn4.telesco.pe/file/photo-1.jpg"]
    assert post.videos == ["https://cdn4.telesco.pe/file/clip-1.mp4?token=abc"]


def test_telegram_text_only_post_and_deleted_post() -> None:
    post = parse_post(TG_TEXT_ONLY)
    assert post.found and post.text == "Only words here." and post.media == []
    assert post.views == 845 and post.datetime == "2024-05-20T08:00:00+00:00"
    deleted = parse_post(TG_DELETED)
    assert not deleted.found and deleted.error == "Post not found"
    assert parse_views("3M") == 3_000_000 and parse_views("12,5K") == 12_500
    assert parse_views("many") is None


def test_telegram_media_are_captured_from_the_embed() -> None:
    adapter = adapter_for(TG_URL)
    page = ex(Role.PAGE, TG_URL, "<html><head><meta property='og:title'></head></html>")
    embed = ex(Role.EMBED, TG_EMBED, TG_POST)
    media = adapter.media(page, fetch_of(TG_URL, page, embed))
    assert [(m.url, m.role, m.archive) for m in media] == [
        ("https://cdn4.telesco.pe/file/photo-1.jpg", Role.MEDIA, True),
        ("https://cdn4.telesco.pe/file/clip-1.mp4?token=abc", Role.MEDIA, True),
    ]
    # Before the embed has arrived, the post page's og:image stands for the post's photo.
    og = ex(
        Role.PAGE,
        TG_URL,
        '<html><head><meta property="og:image" '
        'content="https://cdn4.telesco.pe/file/og.jpg"></head></html>',
    )
    assert [m.url for m in adapter.media(og, fetch_of(TG_URL, og))] == [
        "https://cdn4.telesco.pe/file/og.jpg"
    ]


def test_telegram_observations() -> None:
    adapter = adapter_for(TG_URL)
    page = ex(Role.PAGE, TG_URL, "<html></html>")
    live = adapter.observe(fetch_of(TG_URL, page, ex(Role.EMBED, TG_EMBED, TG_POST)))
    assert live.state is SourceState.LIVE and live.content
    assert live.evidence["views"] == 1200 and live.evidence["media"] == 2
    gone = adapter.observe(fetch_of(TG_URL, page, ex(Role.EMBED, TG_EMBED, TG_DELETED)))
    assert gone.state is SourceState.GONE and gone.conclusive and not gone.content
    assert gone.evidence["status"] == 200
    assert gone.evidence["marker"] == "tgme_widget_message_error"
    assert gone.evidence["message"] == "Post not found"
    no_embed = adapter.observe(
        fetch_of(TG_URL, page, ex(Role.EMBED, TG_EMBED, status=None, outcome=FetchOutcome.TIMEOUT))
    )
    assert no_embed.state is SourceState.UNREACHABLE


def test_facebook_login_wall_is_walled_never_gone() -> None:
    url = "https://www.facebook.com/groups/ActivistsNotExtremists/posts/3681583752160881/"
    fb = FacebookAdapter()
    walled = fb.observe(fetch_of(url, ex(Role.PAGE, url, FB_LOGIN)))
    assert walled.state is SourceState.WALLED and not walled.content
    redirected = fb.observe(
        fetch_of(
            url,
            ex(Role.PAGE, url, "<html></html>", final_url="https://www.facebook.com/login/?next=x"),
        )
    )
    assert redirected.state is SourceState.WALLED


def test_facebook_unavailable_is_only_suspected_unless_authenticated() -> None:
    url = "https://www.facebook.com/watch/?v=882388233492445"
    anonymous = FacebookAdapter().observe(fetch_of(url, ex(Role.PAGE, url, FB_UNAVAILABLE)))
    assert anonymous.state is SourceState.GONE and not anonymous.conclusive
    assert anonymous.evidence["marker"] == "This content isn't available"
    signed_in = FacebookAdapter(authenticated=True).observe(
        fetch_of(url, ex(Role.PAGE, url, FB_UNAVAILABLE))
    )
    assert signed_in.conclusive and signed_in.evidence["session_used"] is True
    not_found = FacebookAdapter().observe(fetch_of(url, ex(Role.PAGE, url, "x", status=404)))
    assert not_found.state is SourceState.GONE and not not_found.conclusive
    live = FacebookAdapter().observe(fetch_of(url, ex(Role.PAGE, url, FB_POST)))
    assert live.state is SourceState.LIVE and live.content


def test_instagram_login_redirect_is_walled_and_embed_is_evidence() -> None:
    url = "https://www.instagram.com/p/C7efDXGtQ_5/"
    embed_url = "https://www.instagram.com/p/C7efDXGtQ_5/embed/captioned/"
    adapter = adapter_for(url)
    login = "https://www.instagram.com/accounts/login/?next=%2Fp%2FC7efDXGtQ_5%2F"
    page = ex(Role.PAGE, url, "<html><body>Log in</body></html>", final_url=login)
    walled = adapter.observe(fetch_of(url, page, ex(Role.EMBED, embed_url, status=429)))
    assert walled.state is SourceState.WALLED and not walled.content
    shown = adapter.observe(fetch_of(url, page, ex(Role.EMBED, embed_url, IG_EMBED)))
    assert shown.state is SourceState.WALLED and shown.content  # walled, but evidence held
    assert shown.evidence["role"] == "embed" and shown.evidence["caption_chars"] > 10
    open_page = ex(Role.PAGE, url, "<html><body>post</body></html>")
    live = adapter.observe(fetch_of(url, open_page, ex(Role.EMBED, embed_url, IG_EMBED)))
    assert live.state is SourceState.LIVE and live.content
    gone = adapter.observe(fetch_of(url, page, ex(Role.EMBED, embed_url, "nf", status=404)))
    assert gone.state is SourceState.GONE


def test_youtube_oembed_404_is_gone_and_401_is_not() -> None:
    url = "https://www.youtube.com/watch?v=ybTn1K2bdnM"
    adapter = adapter_for(url)
    oembed = oembed_url(url)
    assert oembed
    page = ex(Role.PAGE, url, YT_PAGE)
    answer = json.dumps({"title": "Press conference", "author_name": "Azattyq"})
    live = adapter.observe(
        fetch_of(url, page, ex(Role.OEMBED, oembed, answer, content_type="application/json"))
    )
    assert live.state is SourceState.LIVE and live.evidence["title"] == "Press conference"
    assert live.evidence["author_name"] == "Azattyq"
    gone = adapter.observe(
        fetch_of(url, ex(Role.PAGE, url, YT_GONE_PAGE), ex(Role.OEMBED, oembed, "", status=404))
    )
    assert gone.state is SourceState.GONE and gone.evidence["marker"] == "oembed 404"
    disabled = adapter.observe(
        fetch_of(url, page, ex(Role.OEMBED, oembed, "Unauthorized", status=401))
    )
    assert disabled.state is SourceState.LIVE and disabled.evidence["embedding_disabled"]
    # Embedding disabled and the page itself says unavailable: gone by the page's word.
    both = adapter.observe(
        fetch_of(url, ex(Role.PAGE, url, YT_GONE_PAGE), ex(Role.OEMBED, oembed, "", status=401))
    )
    assert both.state is SourceState.GONE


def test_youtube_metadata_is_skipped_without_ytdlp() -> None:
    if ytdlp_available():
        pytest.skip("yt-dlp is installed; this checks the clean skip without it")
    assert ytdlp_metadata("https://www.youtube.com/watch?v=ybTn1K2bdnM") is None


TIMEOUT, REFUSED, DNS = NetworkFailure.TIMEOUT, NetworkFailure.REFUSED, NetworkFailure.DNS


@pytest.mark.parametrize(
    ("status", "outcome", "failure", "state"),
    [
        (404, FetchOutcome.HTTP_ERROR, None, SourceState.GONE),
        (410, FetchOutcome.HTTP_ERROR, None, SourceState.GONE),
        (401, FetchOutcome.HTTP_ERROR, None, SourceState.WALLED),
        (403, FetchOutcome.HTTP_ERROR, None, SourceState.BLOCKED),
        (451, FetchOutcome.HTTP_ERROR, None, SourceState.BLOCKED),
        (429, FetchOutcome.HTTP_ERROR, None, SourceState.BLOCKED),
        (503, FetchOutcome.HTTP_ERROR, None, SourceState.UNREACHABLE),
        (None, FetchOutcome.TIMEOUT, TIMEOUT, SourceState.UNREACHABLE),
        (None, FetchOutcome.NETWORK_ERROR, REFUSED, SourceState.UNREACHABLE),
        (None, FetchOutcome.NETWORK_ERROR, DNS, SourceState.GONE),
        (None, FetchOutcome.REFUSED, None, SourceState.INVALID),
    ],
)
def test_generic_answers(
    status: int | None,
    outcome: FetchOutcome,
    failure: NetworkFailure | None,
    state: SourceState,
) -> None:
    url = "https://kaztag.kz/ru/news/sud-v-almaty-1"
    exchange = ex(Role.PAGE, url, "x", status=status, outcome=outcome, network_failure=failure)
    observed = GenericAdapter(HostProbes()).observe(fetch_of(url, exchange))
    assert observed.state is state
    assert observed.evidence["status"] == status
    assert not observed.content


ARTICLE = """<html><head><title>{title}</title></head><body><nav>Новости Политика Общество</nav>
<article><h1>{title}</h1><p>{body}</p></article><footer>© Сайт</footer></body></html>"""
HOME = ARTICLE.format(
    title="Республика — главная",
    body="Свежие материалы: выборы, суды, протесты, экономика, культура, спорт. " * 5,
)


def test_generic_soft404_redirect_to_front_and_phrase() -> None:
    url = "https://kaztag.kz/ru/news/sud-v-almaty-1"
    adapter = GenericAdapter(HostProbes())
    home = adapter.observe(
        fetch_of(url, ex(Role.PAGE, url, HOME, final_url="https://kaztag.kz/ru/"))
    )
    assert home.state is SourceState.GONE
    assert home.evidence["soft404"] == "redirect to front page"
    assert home.evidence["final_url"] == "https://kaztag.kz/ru/"
    page = ARTICLE.format(title="Страница не найдена — КазТАГ", body="Проверьте адрес.")
    phrase = adapter.observe(fetch_of(url, ex(Role.PAGE, url, page)))
    assert phrase.state is SourceState.GONE and phrase.evidence["marker"] == "страница не найдена"
    article = ARTICLE.format(title="Суд в Алматы", body="Активиста приговорили. " * 30)
    live = adapter.observe(fetch_of(url, ex(Role.PAGE, url, article)))
    assert live.state is SourceState.LIVE and live.content


def test_generic_probe_finds_a_soft404_host_once_per_run() -> None:
    probes = HostProbes()
    probes.start_run(enabled=True)
    adapter = GenericAdapter(probes)
    first = "https://respublika.kz.media/archives/12345"
    second = "https://respublika.kz.media/archives/777"
    (probe,) = adapter.companions(first)
    assert probe.role is Role.PROBE and probe.archive is False
    assert probe.url.startswith("https://respublika.kz.media/archives/sourcekeep-probe-")
    assert adapter.companions(second) == []  # one probe per host per run
    article = ARTICLE.format(
        title="Дело активиста",
        body="Суд рассмотрел дело о распространении ложной информации. " * 20,
    )
    live = adapter.observe(
        fetch_of(first, ex(Role.PAGE, first, article), ex(Role.PROBE, probe.url, HOME))
    )
    assert live.state is SourceState.LIVE
    assert live.evidence["probe"]["status"] == 200 and live.evidence["probe_similarity"] < 0.9
    soft = adapter.observe(fetch_of(second, ex(Role.PAGE, second, HOME)))
    assert soft.state is SourceState.GONE and soft.evidence["soft404"] == "probe"
    assert soft.evidence["probe_similarity"] == 1.0
    probes.start_run(enabled=False)
    assert adapter.companions(first) == []


COOKIES = """# Netscape HTTP Cookie File
.facebook.com\tTRUE\t/\tTRUE\t4102444800\tc_user\t100001
.facebook.com\tTRUE\t/\tTRUE\t4102444800\txs\tsecret%3Avalue
.example.org\tTRUE\t/\tFALSE\t4102444800\tother\t1
"""


def test_cookies_txt_is_loaded_and_redacted(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "cookies.txt"
    path.write_text(COOKIES)
    jar = load_cookies(path)
    header = cookie_header(jar, "https://www.facebook.com/groups/x/posts/1/")
    assert header is not None
    assert "c_user=100001" in header and "xs=secret%3Avalue" in header
    assert "other" not in header
    assert cookie_header(jar, "http://www.facebook.com/") is None  # secure cookies only on https
    assert covers(jar, "web.facebook.com") and not covers(jar, "t.me")
    redacted, session = redact([("Cookie", header), ("User-Agent", "sourcekeep")])
    assert redacted == [("Cookie", REDACTED), ("User-Agent", "sourcekeep")] and session
    bad = tmp_path / "bad.txt"
    bad.write_text("not a cookie file\n")
    with pytest.raises(CookiesError, match="not a Netscape cookies.txt"):
        load_cookies(bad)
    with pytest.raises(CookiesError, match="not found"):
        load_cookies(tmp_path / "missing.txt")
