"""The news sites the fixture web answers for: the hosts cited by the real chronicles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    host: str
    name: str
    home: str = "/"
    server: str = "nginx"
    menu: tuple[str, ...] = ("Новости", "Политика", "Общество", "Экономика", "Мнения")
    body_class: str = "page"
    article_class: str = "article"
    soft404: bool = False  # unknown URLs answer 200 with the home page
    article_prefix: str = ""  # on a soft-404 host, paths starting with it are articles


SITES: dict[str, Site] = {
    s.host: s
    for s in [
        Site(
            "rus.azattyq.org",
            "Радио Азаттык",
            server="Apache",
            menu=("Казахстан", "Центральная Азия", "Мир", "Видео", "Спецпроекты"),
            body_class="pg-article",
            article_class="wsw",
        ),
        Site(
            "kaztag.kz",
            "КазТАГ",
            home="/ru/",
            server="nginx/1.24.0",
            menu=("Новости", "Политика", "Экономика", "Происшествия", "Интервью"),
            article_class="news-detail",
        ),
        Site(
            "adilsoz.kz",
            "Фонд «Әділ сөз»",
            menu=("Новости", "Мониторинг", "Еженедельный мониторинг", "Заявления", "О фонде"),
            article_class="post-content",
        ),
        Site(
            "orda.kz",
            "Orda.kz",
            menu=("Новости", "Расследования", "Общество", "Бизнес"),
            article_class="entry-content",
        ),
        Site(
            "vlast.kz",
            "Власть",
            menu=("Новости", "Политика", "Общество", "Жизнь", "Мнения"),
            article_class="article__text",
        ),
        Site(
            "bureau.kz",
            "Казахстанское международное бюро по правам человека",
            menu=("Новости", "Горячее", "Мониторинг", "Публикации", "О бюро"),
            article_class="entry-content",
        ),
        Site(
            "ulysmedia.kz",
            "Ulysmedia",
            menu=("Новости", "Статьи", "Интервью", "Видео"),
            article_class="article-content",
        ),
        Site(
            "masa.media",
            "Masa.media",
            home="/ru/",
            menu=("Новости", "Общество", "Право"),
            article_class="site-article",
        ),
        Site(
            "respublika.kz.media",
            "Республика",
            menu=("Архив", "Политика", "Общество"),
            soft404=True,
            article_prefix="/archives/",
            article_class="entry-content",
        ),
        Site(
            "vera.kz",
            "Вера",
            menu=("Новости", "Общество", "Криминал", "Культура"),
            article_class="entry-content",
        ),
        Site(
            "mediazona.ca",
            "Медиазона Центральная Азия",
            server="cloudflare",
            menu=("Новости", "Статьи", "Суды", "Тюрьма"),
            article_class="mz-publish",
        ),
        Site(
            "cmn.kz",
            "Central Media Network",
            menu=("Новости", "Политика", "Происшествия"),
            article_class="entry-content",
        ),
        Site(
            "rus.azattyq-ruhy.kz",
            "Азаттык Рухы",
            menu=("Общество", "Политика", "Экономика"),
            article_class="article-text",
        ),
        Site(
            "tirek.info",
            "Tirek.info",
            menu=("Мониторинг", "Хроника", "Статьи", "О нас"),
            article_class="entry-content",
        ),
    ]
}


def site_for(host: str) -> Site | None:
    return SITES.get(host.lower())
