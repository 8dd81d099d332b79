"""Facebook posts, videos and reels (``www.``, ``web.``, ``m.facebook.com``).

Facebook shows anonymous visitors a login wall for much that still exists, and "This content
isn't available" for posts that are deleted *or* merely restricted. So a login page is
``walled`` (never ``gone``), and "content isn't available" raises a suspicion of deletion that
only an authenticated check (cookies.txt) can confirm. Whether a fetch was authenticated is
read from the page's exchange (``session_used``, set by the crawler when it sent the
cookies.txt session), so one adapter serves anonymous and authenticated runs alike.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.platforms.base import Companion
from crawler.platforms.common import (
    answer_observation,
    base_evidence,
    contains_phrase,
    selector,
    visible_text,
)
from crawler.results import FetchedExchange, SourceFetch
from provenance.evidence import is_login_url
from provenance.liveness import Observation
from provenance.states import Platform, SourceState

DOMAINS = ("facebook.com", "fb.watch", "fb.com", "fb.me")

LOGIN_PHRASES = (
    "You must log in to continue",
    "You must log in first",
    "Log in to Facebook",
    "Log into Facebook",
    "Log in to continue",
    "Войдите на Facebook",
    "Вы должны войти",
)
UNAVAILABLE_PHRASES = (
    "This content isn't available",
    "This content isn't available right now",
    "This page isn't available",
    "Этот контент сейчас недоступен",
    "Эта страница недоступна",
)
LOGIN_FORM = (
    "form#login_form, form[action*='/login'], input[name='pass'], "
    "form[data-testid='royal_login_form']"
)


def is_facebook(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in DOMAINS)


class FacebookAdapter:
    platform = Platform.FACEBOOK

    def __init__(self, authenticated: bool = False) -> None:
        # True: treat every fetch as authenticated, whatever its exchange says.
        self.authenticated = authenticated

    def handles(self, url: str) -> bool:
        return is_facebook(url)

    def companions(self, url: str) -> list[Companion]:
        return []

    def media(self, page: FetchedExchange, fetch: SourceFetch) -> list[Companion]:
        return []

    def observe(self, fetch: SourceFetch) -> Observation:
        page = fetch.page
        authenticated = self.authenticated or (page is not None and page.session_used)
        answer = answer_observation(page)
        if answer is not None:
            if answer.state is SourceState.GONE and not authenticated:
                return Observation(answer.state, answer.evidence, conclusive=False)
            return answer
        assert page is not None
        evidence = {**base_evidence(page), "session_used": authenticated}
        if is_login_url(page.final_url):
            return Observation(SourceState.WALLED, {**evidence, "marker": "login redirect"})
        sel = selector(page)
        text = visible_text(sel)
        unavailable = contains_phrase(text, UNAVAILABLE_PHRASES)
        if unavailable:
            return Observation(
                SourceState.GONE,
                {**evidence, "marker": unavailable},
                conclusive=authenticated,
            )
        login = contains_phrase(text, LOGIN_PHRASES)
        if login or sel.css(LOGIN_FORM):
            return Observation(SourceState.WALLED, {**evidence, "marker": login or "login form"})
        return Observation(SourceState.LIVE, evidence, content=True)
