"""Fixed URLs of the fixture web, for tests to import instead of copying strings.

Every URL works over https (CONNECT) and over plain http through the proxy; stages and
counters ignore the scheme. See the package docstring for what each one does.
"""

from __future__ import annotations

from urllib.parse import quote

CONTROL_HOST = "fixture.control"

# --- HTTP failure modes on news hosts --------------------------------------------------------
STATUS_404 = "https://kaztag.kz/ru/news/status-404"
STATUS_410 = "https://vlast.kz/novosti/status-410.html"
STATUS_403 = "https://orda.kz/status-403/"
STATUS_451 = "https://mediazona.ca/news/status-451"
ERROR_500_THEN_200 = "https://adilsoz.kz/news/status-500-then-200.html"
RETRY_429_THEN_200 = "https://bureau.kz/novosti/status-429-then-200/"
REDIRECT_CHAIN = "http://rus.azattyq.org/a/redirect-chain.html"  # 301 to https, then 302
REDIRECT_CHAIN_HOPS = (
    REDIRECT_CHAIN,
    "https://rus.azattyq.org/a/redirect-chain-2.html",
    "https://rus.azattyq.org/a/32700003.html",
)
REDIRECT_CHAIN_FINAL = REDIRECT_CHAIN_HOPS[-1]
REDIRECT_LOOP = "https://orda.kz/redirect-loop-a/"  # 302 -> ...-b/ -> 302 back to ...-a/
REDIRECT_LOOP_OTHER = "https://orda.kz/redirect-loop-b/"
CONNECTION_RESET = "https://ulysmedia.kz/news/connection-reset/"  # half the body, then RST
RESET_BODY_LENGTH = 20000  # the Content-Length announced by CONNECTION_RESET
RESET_SENT_BYTES = 4096  # body bytes sent before the reset
SLOW_DRIP = "https://masa.media/ru/site/slow-drip"  # 256 bytes every DRIP_PAUSE seconds
DRIP_PAUSE = 1.0
DRIP_TOTAL_SECONDS = 40  # how long the whole body would take
STALL = "https://masa.media/ru/site/stall"  # accepts the request, answers nothing for 60 s
GZIP = "https://vlast.kz/novosti/gzip.html"  # Content-Encoding: gzip, Content-Length
BROTLI = "https://orda.kz/brotli/"  # Content-Encoding: br, Content-Length
CHUNKED = "https://kaztag.kz/ru/news/chunked"  # Transfer-Encoding: chunked, identity
GZIP_CHUNKED = "https://rus.azattyq.org/a/gzip-chunked.html"  # gzip and chunked
OVERSIZED = "https://vera.kz/oversized/"  # OVERSIZED_BYTES with Content-Length
OVERSIZED_CHUNKED = "https://vera.kz/oversized-chunked/"  # the same, chunked, no length
OVERSIZED_BYTES = 3 * 1024 * 1024
WINDOWS_1251 = "https://cmn.kz/windows-1251/"  # cp1251 bytes, no charset in header or meta
KOI8_R = "https://cmn.kz/koi8-r/"  # KOI8-R; charset only in <meta http-equiv>, not the header
PDF = "https://adilsoz.kz/upload/monitoring-2023-11.pdf"
JPEG = "https://tirek.info/wp-content/uploads/2024/05/photo.jpg"
TWO_COOKIES = "https://vera.kz/two-cookies/"  # "HTTP/1.1 200 Everything Fine", 2 Set-Cookie
TWO_COOKIES_REASON = "Everything Fine"
UNKNOWN_HOST_URL = "https://ratel.kz/raw/deleted"  # host unknown to the proxy: 502
UNKNOWN_HOST_STATUS = 502  # for CONNECT and for plain requests ("DNS lookup failed")
HOME_REDIRECT = "https://kaztag.kz/ru/news/udalennaya-novost"  # 301 to the home page
HOME_REDIRECT_TARGET = "https://kaztag.kz/ru/"

# --- time: any URL follows its stage; this one is kept for the purpose -----------------------
TIMELINE_ARTICLE = "https://rus.azattyq.org/a/32700001.html"

# --- soft-404 host: /archives/<digits> are articles, every other URL is the home page (200) --
SOFT404_HOST = "respublika.kz.media"
SOFT404_ARTICLE = "https://respublika.kz.media/archives/109793"
SOFT404_MISSING = "https://respublika.kz.media/2023/11/eta-statya-udalena/"

# --- TLS: a host whose certificate expired (it still answers like its site) ------------------
TLS_EXPIRED_HOST = "old.vlast.kz"
TLS_EXPIRED_URL = "https://old.vlast.kz/novosti/57739.html"

# --- Telegram -------------------------------------------------------------------------------
TELEGRAM_CDN_HOST = "cdn4.telesco.pe"
TG_TEXT_POST = "https://t.me/AdalSotKz/1652"
TG_PHOTO_POST = "https://t.me/INFO1612/17141"
TG_VIDEO_POST = "https://t.me/RadioAzattyq/19120"
TG_DELETED_POST = "https://t.me/babayagaprotiv03/10931"  # page 200, embed "Post not found"
TELEGRAM_KINDS = {
    TG_TEXT_POST: "text",
    TG_PHOTO_POST: "photo",
    TG_VIDEO_POST: "video",
    TG_DELETED_POST: "deleted",
}


def tg_embed(post_url: str) -> str:
    return post_url.split("?")[0] + "?embed=1&mode=tme"


# --- Facebook (anonymous: login wall; with cookies c_user and xs: the post) -----------------
FB_SESSION_COOKIES = ("c_user", "xs")
FB_GROUP_POST = "https://www.facebook.com/groups/ActivistsNotExtremists/posts/3681583752160881/"
FB_WEB_GROUP_POST = "https://web.facebook.com/groups/ActivistsNotExtremists/posts/3815824272070161/"
FB_MOBILE_POST = "https://m.facebook.com/groups/ActivistsNotExtremists/posts/3801220440197211/"
FB_WATCH = "https://www.facebook.com/watch/?v=882388233492445"
FB_REEL = "https://www.facebook.com/reel/411222858476524"
FB_UNAVAILABLE = "https://www.facebook.com/groups/ActivistsNotExtremists/posts/3688847138101209/"
FB_LOGIN_MARKER = "You must log in to continue"
FB_UNAVAILABLE_MARKER = "This content isn't available right now"

# --- Instagram (anonymous /p/CODE/: 302 to /accounts/login/; with cookie sessionid: post) ----
IG_SESSION_COOKIE = "sessionid"
IG_POST = "https://www.instagram.com/p/C7efDXGtQ_5/"
IG_EMBED = "https://www.instagram.com/p/C7efDXGtQ_5/embed/captioned/"
IG_LOGIN_PREFIX = "https://www.instagram.com/accounts/login/"

# --- YouTube (oEmbed answers by video id) ----------------------------------------------------
YT_VIDEO = "https://www.youtube.com/watch?v=ybTn1K2bdnM"  # oEmbed 200
YT_NO_EMBED = "https://www.youtube.com/watch?v=-tskNBWum10"  # oEmbed 401: embedding disabled
YT_DELETED = "https://www.youtube.com/watch?v=Qx7Dk3LmP0w"  # oEmbed 404, "Video unavailable"
YT_NO_EMBED_IDS = frozenset({"-tskNBWum10"})
YT_DELETED_IDS = frozenset({"Qx7Dk3LmP0w"})


def yt_oembed(watch_url: str) -> str:
    return "https://www.youtube.com/oembed?url=" + quote(watch_url, safe="") + "&format=json"


def control_url(path: str, **params: str) -> str:
    """A control URL (through the proxy): ``control_url("stage", url=..., stage="v2")``."""
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return f"http://{CONTROL_HOST}/{path}" + (f"?{query}" if query else "")
