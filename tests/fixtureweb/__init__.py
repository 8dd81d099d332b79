"""The fixture web: how the test suite reaches "the internet".

A forward proxy on 127.0.0.1 (ephemeral port) that answers for the real hostnames cited by
the chronicles. Clients reach it like users reach a geo-blocked site, through the standard
proxy settings (``http_proxy``/``https_proxy`` = ``http://127.0.0.1:PORT``):

- plain requests in absolute form (``GET http://host/path HTTP/1.1``);
- ``CONNECT host:443`` followed by TLS; a certificate for the SNI name (or the CONNECT host)
  is minted on the fly, signed by a CA generated at start-up and written to ``ca_path``
  (PEM), so clients choose whether to trust it. Certificates are cached per host, one key
  serves them all (ECDSA P-256; TLS 1.2 or 1.3, ALPN ``http/1.1``). ``CONNECT host:80``
  carries plain HTTP. Hosts it does not know (including loopback addresses) get 502: it is
  not a general-purpose proxy.
- HTTP/1.1 keep-alive on plain connections and inside tunnels; ``Connection: close`` is sent
  (and the connection closed) when the client asks for it, for HTTP/1.0 without keep-alive,
  and after resets, drips and stalls. Answers carry a ``Date`` header, real status lines and
  header casing, and ``Content-Length`` or correct chunked framing.

Running: ``python -m tests.fixtureweb [--port N] [--page-size BYTES] [--compress]`` prints the
proxy URL and the CA path. In pytest: ``fixture_web`` (session) and ``fresh_fixture_web``
(reset before the test, fails the test if the fixture web itself broke), from
``tests/fixtureweb/plugin.py``; both give a ``FixtureWeb`` with ``.proxy_url``, ``.ca_path``,
``.env()``, ``.ssl_context()``, ``.fingerprint(host)``, ``.set_stage(url, stage)``,
``.reset()``, ``.requests_for(url)``, ``.responses_for(url)``, ``.hits(url)``,
``.connects()``, ``.errors``.

Observation: every request is kept (method, absolute URL, headers in order and case, body,
the tunnel it came through); every response as a ``SentResponse`` with the raw header block
(``head``) and the payload exactly as sent (``payload``: the entity body, still gzip/brotli
encoded, without chunk framing; only the bytes actually written when the answer was cut),
``payload_sha256`` and ``complete``. URLs are matched without scheme or fragment.

News hosts (``sites.SITES``): rus.azattyq.org, kaztag.kz, adilsoz.kz, orda.kz, vlast.kz,
bureau.kz, ulysmedia.kz, masa.media, respublika.kz.media, vera.kz, mediazona.ca, cmn.kz,
rus.azattyq-ruhy.kz, tirek.info (``www.`` of each redirects 301 to it). The home page
(``/``, or ``/ru/`` on kaztag.kz and masa.media, where ``/`` redirects to it) lists headlines;
ANY other path serves a deterministic article seeded by host and path (the query string is
ignored): head with title, description, ``og:*``, ``article:published_time``, author,
JSON-LD; navigation menu; header with today's date; the article (several paragraphs of
Russian); a "most read" sidebar; footer boilerplate. UTF-8 with ``charset=UTF-8`` in the
header. Size 5-30 KB seeded by the path, or exactly about ``page_size`` bytes. With
``compress`` pages are brotli- or gzip-encoded when Accept-Encoding allows.

Failure modes (constants in ``catalogue``; every URL works over http and https):

========================  =====================================================================
STATUS_404/410/403/451    that status with the site's error page
ERROR_500_THEN_200        500 on the first request (per URL, until ``reset``), then 200
RETRY_429_THEN_200        429 with ``Retry-After: 1`` the first time, then 200
REDIRECT_CHAIN            301 (http -> https) -> 302 -> 200: ``REDIRECT_CHAIN_HOPS``
REDIRECT_LOOP             302 to REDIRECT_LOOP_OTHER, which 302s back, forever
CONNECTION_RESET          announces RESET_BODY_LENGTH, sends RESET_SENT_BYTES, then TCP RST
SLOW_DRIP                 256 bytes every DRIP_PAUSE s (about DRIP_TOTAL_SECONDS in all)
STALL                     reads the request, answers nothing for 60 s, closes
GZIP / BROTLI             ``Content-Encoding: gzip`` / ``br`` with Content-Length
CHUNKED / GZIP_CHUNKED    ``Transfer-Encoding: chunked`` (uneven chunks), identity / gzip
OVERSIZED(_CHUNKED)       3 MB HTML, with Content-Length / chunked without it
WINDOWS_1251              cp1251 bytes, ``Content-Type: text/html``, no charset anywhere
KOI8_R                    KOI8-R, charset only in ``<meta http-equiv>``, none in the header
PDF / JPEG                a valid one-page PDF / a valid baseline JPEG
TWO_COOKIES               ``HTTP/1.1 200 Everything Fine`` with two ``Set-Cookie`` headers
UNKNOWN_HOST_URL          any host the proxy does not know: ``502 Bad Gateway`` ("DNS lookup
                          failed") for CONNECT and for plain requests alike
HOME_REDIRECT             a deleted article: 301 to the site's home page
SOFT404_*                 respublika.kz.media: ``/archives/<digits>`` are articles, every
                          other URL answers 200 with the home page
TLS_EXPIRED_URL           old.vlast.kz: vlast.kz's pages behind an expired certificate
========================  =====================================================================

Platforms:

- Telegram ``t.me/CHANNEL/ID``: the post page (200, ``og:description`` = text; a deleted
  post shows the channel instead) and the embed ``?embed=1&mode=tme`` with
  ``tgme_widget_message_text``, ``time[datetime]``, ``tgme_widget_message_views``, author
  (``tgme_widget_message_owner_name``), photo (``tgme_widget_message_photo_wrap`` with
  ``background-image:url('https://cdn4.telesco.pe/file/...jpg')``) or video (``<video
  src=...mp4>``); a deleted post's embed is ``tgme_widget_message_error`` "Post not found".
  Kinds: ``TG_TEXT_POST``, ``TG_PHOTO_POST``, ``TG_VIDEO_POST``, ``TG_DELETED_POST``; other
  posts get a kind seeded by the URL. cdn1-5.telesco.pe serve ``*.jpg`` (JPEG) and ``*.mp4``
  (an ISO-BMFF box sequence, not a playable movie).
- Facebook (www./web./m.): group posts, ``USER/posts/...``, ``watch/?v=``, ``reel/ID``
  answer anonymous visitors 200 with the login wall ("You must log in to continue." and a
  login form); with cookies ``c_user`` and ``xs`` the post (author, text, time).
  ``FB_UNAVAILABLE`` (and stage ``deleted``): "This content isn't available right now", 200,
  to everyone.
- Instagram ``/p/CODE/``: anonymous visitors get 302 to ``/accounts/login/?next=...``; with
  cookie ``sessionid`` the post. ``/p/CODE/embed/captioned/`` serves the caption to anyone;
  stage ``deleted`` makes both 404 "Sorry, this page isn't available."
- YouTube ``watch?v=ID`` pages (``ytInitialPlayerResponse``, ``og:*``, ``datePublished``) and
  ``/oembed?url=...&format=json``: 200 JSON; 401 for ``YT_NO_EMBED`` (embedding disabled);
  404 for ``YT_DELETED`` (whose watch page is a 200 "Video unavailable"); 400 without a
  valid URL. youtu.be redirects to the watch page; i.ytimg.com serves JPEG thumbnails.

Time (``state.Stage``; per URL, scheme ignored; default ``v1``): ``v2`` edited text (every
other paragraph rewritten, an update appended); ``boilerplate`` v1's text with another menu,
"most read", banner and header date; ``v2+boilerplate``; ``404``; ``410``; ``home`` (301 to
the home page); ``deleted`` (the platform's own "not found", see above; a 404 page on a news
host, the 200 home page on the soft-404 host). A platform post's stage also governs its embed
and oEmbed. Set with ``web.set_stage(url, "v2")`` or, from another process, through the proxy:
``http://fixture.control/stage?url=URL&stage=v2`` (``catalogue.control_url``); also
``/reset``, ``/hits?url=``, ``/requests?url=``, ``/responses?url=``, ``/ca.pem`` (see
``control``). Origin-form requests to the proxy port reach the same endpoints.
"""

from tests.fixtureweb.state import Stage
from tests.fixtureweb.web import FixtureWeb

__all__ = ["FixtureWeb", "Stage"]
