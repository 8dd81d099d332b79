"""Synthetic exchanges shaped like what the crawler hands to the archive."""

from __future__ import annotations

import datetime as dt
import gzip

from archive.exchange import (
    FetchInfo,
    HttpExchange,
    HttpRequest,
    HttpResponse,
    PriorCapture,
    Truncation,
)
from archive.warc import FetchRecords

WHEN = dt.datetime(2024, 5, 14, 9, 30, 12, 345678, tzinfo=dt.UTC)

RUSSIAN = (
    "Суд в Алматы приговорил журналиста к двум годам ограничения свободы по статье о "
    "распространении заведомо ложной информации. Правозащитники назвали приговор политически "
    "мотивированным и потребовали пересмотра дела. Адвокат заявил, что сторона защиты подаст "
    "апелляцию в течение пятнадцати дней. "
)


def article_html(title: str = "Суд над журналистом", paragraphs: int = 4) -> str:
    body = "".join(f"<p>{RUSSIAN} Абзац {i}.</p>" for i in range(paragraphs))
    return (
        "<!DOCTYPE html><html lang='ru'><head><title>" + title + "</title>"
        "<meta name='author' content='Айгуль Нурланова'>"
        "<meta property='article:published_time' content='2024-05-13T08:00:00+05:00'>"
        "</head><body><nav>Главная | Новости | Политика | Контакты</nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>© 2024 Все права защищены</footer></body></html>"
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def exchange(
    url: str,
    payload: bytes,
    headers: list[tuple[str, str]],
    *,
    status: int = 200,
    reason: str = "OK",
    when: dt.datetime = WHEN,
    truncated: Truncation | None = None,
) -> HttpExchange:
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    return HttpExchange(
        target_uri=url,
        warc_date=when,
        request=HttpRequest(
            target=path,
            headers=[
                ("Host", host),
                ("User-Agent", "sourcekeep/0.1 (+https://example.org/sourcekeep)"),
                ("Accept-Encoding", "gzip, deflate, br"),
            ],
        ),
        response=HttpResponse(
            status=status, reason=reason, headers=headers, payload=payload, truncated=truncated
        ),
        fetch=FetchInfo(
            crawler="sourcekeep/0.1.0 Scrapy/2.13",
            tls_sha256="5f" * 32,
            tls_valid=True,
            redirect_chain=[url.replace("https://", "http://")],
            timings={"connect": 0.01, "ttfb": 0.05, "total": 0.12},
            proxy="http://127.0.0.1:8899",
        ),
        ip_address="127.0.0.1",
    )


def gzip_page(url: str = "https://rus.azattyq.org/a/32945811.html") -> HttpExchange:
    body = gzip.compress(article_html().encode("utf-8"), mtime=0)
    return exchange(
        url,
        body,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(body))),
            ("Set-Cookie", "session=abc; Path=/"),
            ("Set-Cookie", "lang=ru; Path=/"),
        ],
    )


def chunked_page(url: str = "https://kaztag.kz/ru/news/123") -> HttpExchange:
    """Sent with Transfer-Encoding: chunked and no charset; the payload is de-chunked."""
    return exchange(
        url,
        article_html("Задержан активист").encode("cp1251"),
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked"), ("Server", "nginx")],
    )


def pdf(url: str = "https://adilsoz.kz/files/report.pdf") -> HttpExchange:
    return exchange(
        url, PDF, [("Content-Type", "application/pdf"), ("Content-Length", str(len(PDF)))]
    )


def truncated(url: str = "https://orda.kz/big.bin") -> HttpExchange:
    data = bytes(range(256)) * 64
    return exchange(
        url,
        data,
        [("Content-Type", "application/octet-stream"), ("Content-Length", "100000000")],
        truncated=Truncation.LENGTH,
    )


def not_found(url: str = "https://vlast.kz/gone") -> HttpExchange:
    body = b"<html><body>Not here</body></html>"
    return exchange(
        url, body, [("Content-Type", "text/html")], status=404, reason="Not Found"
    )


def prior_of(done: FetchRecords) -> PriorCapture:
    """What a revisit of the response in ``done`` refers to."""
    ref = done.response
    assert ref.payload_digest
    return PriorCapture(ref.record_id, ref.target_uri, ref.warc_date, ref.payload_digest)
