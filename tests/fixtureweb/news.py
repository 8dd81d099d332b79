"""News pages shaped like the real sites: head metadata, navigation, a header with today's
date, the article, a "most read" sidebar and footer boilerplate."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from html import escape

from tests.fixtureweb import text
from tests.fixtureweb.sites import Site

MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
WEEKDAYS = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
AUTHORS = [
    "Асель Мусабекова",
    "Виктория Панфилова",
    "Ержан Карабек",
    "Дмитрий Мазоренко",
    "Мадина Алимханова",
    "Тимур Нусимбеков",
    "Жанна Байтелова",
    "Ирина Медникова",
]
EXTRA_MENU = ("Спецпроект: выборы", "Подкасты")


def ru_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def published(seed: str) -> dt.datetime:
    rnd = text.rng_for("date:" + seed)
    start = dt.datetime(2023, 6, 1, 6, 0, tzinfo=dt.UTC)
    return start + dt.timedelta(minutes=rnd.randint(0, 400 * 24 * 60))


def author(seed: str) -> str:
    return text.rng_for("author:" + seed).choice(AUTHORS)


def _article_href(site: Site, seed: str) -> str:
    number = int(text.rng_for("href:" + seed).random() * 900000) + 100000
    if site.host in ("rus.azattyq.org",):
        return f"/a/{32600000 + number % 400000}.html"
    if site.article_prefix:
        return f"{site.article_prefix}{number}"
    return f"{site.home}news/{number}-novost/"


def _head(
    site: Site, title: str, url: str, description: str, meta: list[str], charset: str | None
) -> str:
    charset_tag = f'<meta charset="{charset}">\n' if charset else ""
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n'
        + charset_tag
        + f"<title>{escape(title)} | {escape(site.name)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{escape(description)}">\n'
        f'<meta property="og:site_name" content="{escape(site.name)}">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        + "".join(m + "\n" for m in meta)
        + f'<link rel="canonical" href="{escape(url)}">\n'
        '<link rel="stylesheet" href="/static/css/main.min.css?v=20240517">\n'
        '<link rel="icon" href="/favicon.ico">\n</head>\n'
    )


def _header(site: Site, today: dt.date, boilerplate: bool) -> str:
    shown = today + dt.timedelta(days=1) if boilerplate else today
    menu = list(site.menu) + (list(EXTRA_MENU) if boilerplate else [])
    items = "".join(
        f'<li class="menu-item"><a href="{site.home}section/{i}/">{escape(m)}</a></li>'
        for i, m in enumerate(menu)
    )
    return (
        '<header class="site-header">\n'
        f'<div class="header-top"><span class="header-date">{ru_date(shown)}, '
        f"{WEEKDAYS[shown.weekday()]}</span>"
        '<span class="currency">USD 447.12 · EUR 482.90 · RUB 4.91</span></div>\n'
        f'<a class="logo" href="{site.home}">{escape(site.name)}</a>\n'
        f'<nav class="main-menu" role="navigation"><ul>{items}</ul></nav>\n'
        '<form class="search" action="/search/" method="get">'
        '<input type="search" name="q" placeholder="Поиск"></form>\n'
        "</header>\n"
    )


def _sidebar(site: Site, today: dt.date, boilerplate: bool) -> str:
    seed = f"{site.host}:mostread:{today.isoformat()}:{int(boilerplate)}"
    items = "".join(
        f'<li><a href="{_article_href(site, f"{seed}:{i}")}">'
        f"{escape(text.title(f'{seed}:{i}'))}</a></li>"
        for i in range(6)
    )
    banner = (
        '<section class="banner"><a href="/subscribe/">Подпишитесь на наш Telegram-канал'
        "</a></section>\n"
        if boilerplate
        else ""
    )
    return (
        '<aside class="sidebar">\n<section class="most-read"><h3>Самое читаемое</h3>'
        f"<ol>{items}</ol></section>\n" + banner + "</aside>\n"
    )


def _footer(site: Site, today: dt.date) -> str:
    return (
        '<footer class="site-footer">\n'
        f"<p>© 2008–{today.year} {escape(site.name)}. Все права защищены.</p>\n"
        "<p>При полном или частичном использовании материалов ссылка на источник "
        "обязательна. Мнение авторов может не совпадать с позицией редакции.</p>\n"
        '<ul class="footer-links"><li><a href="/about/">О нас</a></li>'
        '<li><a href="/contacts/">Контакты</a></li><li><a href="/advertising/">Реклама</a></li>'
        '<li><a href="/privacy/">Политика конфиденциальности</a></li></ul>\n'
        "</footer>\n"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push("
        "arguments)}gtag('js',new Date());gtag('config','G-FIXTURE01');</script>\n"
    )


@lru_cache(maxsize=4096)
def article(
    site: Site,
    url: str,
    seed: str,
    version: int,
    boilerplate: bool,
    size: int,
    today: dt.date,
    charset: str | None = "utf-8",
) -> str:
    """An article page of about ``size`` bytes; the main text depends only on (seed, version)."""
    title = text.title(seed)
    when = published(seed)
    by = author(seed)
    chrome = _header(site, today, boilerplate) + _sidebar(site, today, boilerplate)
    chrome += _footer(site, today)
    paras = text.paragraphs(seed, max(size - len(chrome.encode()) - 2500, 1500))
    if version == 2:
        paras = text.edited(seed, paras)
    description = paras[0][:160]
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": when.isoformat(),
            "author": {"@type": "Person", "name": by},
            "publisher": {"@type": "Organization", "name": site.name},
        },
        ensure_ascii=False,
    )
    meta = [
        '<meta property="og:type" content="article">',
        f'<meta property="article:published_time" content="{when.isoformat()}">',
        f'<meta name="author" content="{escape(by)}">',
        f'<script type="application/ld+json">{ld}</script>',
    ]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paras)
    return (
        _head(site, title, url, description, meta, charset)
        + f'<body class="{site.body_class}">\n'
        + _header(site, today, boilerplate)
        + '<main class="layout">\n'
        f'<article class="{site.article_class}">\n'
        f'<h1 class="article-title">{escape(title)}</h1>\n'
        f'<div class="article-meta"><span class="author">{escape(by)}</span> '
        f'<time datetime="{when.isoformat()}">{ru_date(when.date())}, '
        f"{when:%H:%M}</time></div>\n"
        f'<div class="article-body">\n{body}\n</div>\n'
        '<div class="share">Поделиться: <a href="https://t.me/share/url">Telegram</a> '
        '<a href="https://www.facebook.com/sharer/sharer.php">Facebook</a></div>\n'
        "</article>\n"
        + _sidebar(site, today, boilerplate)
        + "</main>\n"
        + _footer(site, today)
        + "</body>\n</html>\n"
    )


@lru_cache(maxsize=256)
def home(site: Site, url: str, today: dt.date) -> str:
    """The front page: the latest headlines. Every unknown URL of a soft-404 host serves it."""
    seed = f"{site.host}:front:{today.isoformat()}"
    items = "".join(
        f'<li class="news-item"><a href="{_article_href(site, f"{seed}:{i}")}">'
        f"{escape(text.title(f'{seed}:{i}'))}</a>"
        f"<p>{escape(text.paragraph(text.rng_for(f'{seed}:{i}'), 1))}</p></li>\n"
        for i in range(20)
    )
    return (
        _head(
            site,
            site.name,
            f"https://{site.host}{site.home}",
            f"{site.name}: новости Казахстана",
            ['<meta property="og:type" content="website">'],
            "utf-8",
        )
        + f'<body class="{site.body_class} front">\n'
        + _header(site, today, False)
        + '<main class="layout">\n<section class="latest"><h2>Последние новости</h2>\n'
        f'<ul class="news-list">\n{items}</ul></section>\n'
        + _sidebar(site, today, False)
        + "</main>\n"
        + _footer(site, today)
        + "</body>\n</html>\n"
    )


def not_found(site: Site, today: dt.date) -> str:
    """The site's own 404 page."""
    return (
        _head(
            site,
            "Страница не найдена",
            f"https://{site.host}/404",
            "Страница не найдена",
            [],
            "utf-8",
        )
        + f'<body class="{site.body_class} error404">\n'
        + _header(site, today, False)
        + '<main class="layout"><h1>Ошибка 404</h1><p>Страница не найдена. Возможно, она была '
        f'удалена или перемещена. Перейдите на <a href="{site.home}">главную страницу</a>.</p>'
        "</main>\n" + _footer(site, today) + "</body>\n</html>\n"
    )
