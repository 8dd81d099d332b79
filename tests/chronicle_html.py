"""Build HTML chronicles in the shape of WordPress pages exported from Word, from text ones.

Markers become ``<a href="#_ftnN" name="_ftnrefN">[N]</a>`` (every third inside ``<sup>``,
every fifth with ``<sup>`` inside the link); definitions become
``<a href="#_ftnrefN" name="_ftnN">[N]</a> <a href="URL">TEXT</a>`` where TEXT is sometimes not
the URL (shortened, a word, or without the ``mailto:`` Word put in the href). The page has the
site's chrome around the post: a skip link, a menu, post dates in the meta line and the sidebar,
and the share line — none of which is part of the chronicle.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

DEFINITION = re.compile(r"^\s*\[(\d+)\]\s*(\S+)\s*$")
MARKER = re.compile(r"\[(\d+)\]")


def _marker(match: re.Match[str]) -> str:
    n = int(match.group(1))
    if n % 5 == 0:
        return f'<a href="#_ftn{n}" name="_ftnref{n}"><sup>[{n}]</sup></a>'
    link = f'<a href="#_ftn{n}" name="_ftnref{n}">[{n}]</a>'
    return f"<sup>{link}</sup>" if n % 3 == 0 else link


def _link_text(n: int, url: str) -> str:
    if url.startswith("mailto:"):
        return url.removeprefix("mailto:")
    if n % 7 == 0:
        return url[:30] + "…"
    if n % 11 == 0:
        return "link"
    return url


def _definition(n: int, url: str) -> str:
    text = html.escape(_link_text(n, url))
    return (
        f'<div id="ftn{n}"><p class="MsoFootnoteText">'
        f'<a href="#_ftnref{n}" name="_ftn{n}"><span class="MsoFootnoteReference">[{n}]</span></a>'
        f' <a href="{html.escape(url)}">{text}</a></p></div>'
    )


def chronicle_html(text: str, title: str) -> str:
    """The WordPress/Word-export HTML page of a plain-text chronicle."""
    paragraphs: list[str] = []
    definitions: list[str] = []
    for line in text.splitlines():
        match = DEFINITION.match(line)
        if match:
            definitions.append(_definition(int(match.group(1)), match.group(2)))
        elif line.strip() and not definitions and not line.startswith(("Нажмите", "Поделись")):
            body = MARKER.sub(_marker, html.escape(line.strip(), quote=False))
            paragraphs.append(f"<p>{body}</p>")
    esc_title = html.escape(title)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en-US"><head><meta charset="UTF-8">',
            f"<title>{esc_title} – Tirek</title></head><body>",
            '<a class="skip-link" href="#content">Нажмите "Enter" для перехода к содержанию</a>',
            '<header class="site-header"><nav><ul><li><a href="/">Home</a></li>'
            '<li><a href="/news/">News</a></li></ul></nav></header>',
            '<div id="content"><article class="post type-post">',
            f'<header class="entry-header"><h1 class="entry-title">{esc_title}</h1>',
            '<div class="entry-meta"><time>June 3, 2024</time></div></header>',
            '<div class="entry-content">',
            *paragraphs,
            "<p>&nbsp;</p>",
            '<div><br clear="all"><hr align="left" size="1" width="33%">',
            *definitions,
            "</div>",
            "</div>",
            '<footer class="entry-footer"><div class="share">Поделись, чтобы люди узнали:'
            " 377 5211</div></footer>",
            "</article></div>",
            '<aside class="sidebar"><ul><li>May 30, 2024 — Another monitoring</li>'
            "<li>1 мая, Алматы — архив</li></ul></aside>",
            "</body></html>",
        ]
    )


def chronicle_html_file(text_path: Path, out_dir: Path, title: str) -> Path:
    """Write the HTML version of ``text_path`` into ``out_dir`` and return its path."""
    out = out_dir / (text_path.stem + ".html")
    out.write_text(chronicle_html(text_path.read_text(encoding="utf-8"), title), encoding="utf-8")
    return out
