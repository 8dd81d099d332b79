"""Commands: ingest, chronicles, citations.

The chronicle parser, the ingest code and the page fetcher are imported by the commands that
use them: every command module is loaded when the command line is built, and an archive or
check run needs none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import sqlalchemy as sa
import typer
from sqlmodel import Session, select

from provenance.db import session_scope
from provenance.lookup import find_chronicle, latest_version
from provenance.models import Chronicle, ChronicleVersion, Problem, Source
from scheduler.cli.common import (
    HomeOption,
    JsonOption,
    UserError,
    console,
    engine_for,
    print_json,
    print_table,
)

if TYPE_CHECKING:
    from provenance.chronicle import ChronicleDocument
    from provenance.ingest import IngestResult

YearOption = Annotated[
    int | None,
    typer.Option("--year", min=1900, max=2100, help="Year of the chronicle when it cannot tell."),
]
ProxyOption = Annotated[
    str | None,
    typer.Option("--proxy", help="HTTP proxy for fetching a chronicle given by URL."),
]
_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def _read(
    source: str, year: int | None, proxy: str | None
) -> tuple[ChronicleDocument, bytes, str | None]:
    """Read and parse SOURCE before anything is written: (document, bytes, page URL)."""
    from provenance.chronicle import MAX_BYTES, parse_bytes
    from provenance.chronicle.decode import check_size
    from scheduler.chronicle_fetch import FetchError, fetch_page

    if source.lower().startswith(("http://", "https://")):
        try:
            page = fetch_page(source, MAX_BYTES, proxy)
        except FetchError as exc:
            raise UserError(str(exc)) from exc
        media_type = page.media_type if page.media_type in _TEXT_TYPES else None
        doc = parse_bytes(page.body, page.final_url, year, media_type, page.charset)
        return doc, page.body, source
    if "://" in source:
        raise UserError(f"{source}: only http(s) URLs or local files can be ingested")
    path = Path(source).expanduser()
    if not path.exists():
        raise UserError(f"{source}: no such file")
    if not path.is_file():
        raise UserError(f"{source}: not a file")
    check_size(path.stat().st_size, source)
    data = path.read_bytes()
    return parse_bytes(data, path.name, year), data, None


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "kind": problem.kind.value,
        "footnote": problem.footnote,
        "detail": problem.detail,
        "candidate": problem.candidate,
    }


def _chronicle_json(chronicle: Chronicle) -> dict[str, Any]:
    return {
        "id": chronicle.id,
        "slug": chronicle.slug,
        "title": chronicle.title,
        "period": chronicle.period,
        "url": chronicle.url,
    }


def _result_json(result: IngestResult) -> dict[str, Any]:
    version = result.version
    return {
        "chronicle": _chronicle_json(result.chronicle),
        "version": {
            "id": version.id,
            "number": version.number,
            "created": result.created,
            "previous": result.previous,
            "content_sha256": version.content_sha256,
            "media_type": version.media_type,
            "origin": version.origin,
        },
        "unchanged": not result.created,
        "entries": version.entries,
        "markers": version.markers,
        "footnotes": version.footnotes,
        "citations": result.citations,
        "sources": result.sources,
        "new_sources": result.new_sources,
        "page_source": result.page_source.id if result.page_source else None,
        "problems": [_problem_json(p) for p in result.problems],
        "changes": result.changes.as_dict() if result.changes else None,
    }


def _print_result(result: IngestResult, data: dict[str, Any]) -> None:
    chronicle, version = result.chronicle, result.version
    if result.created:
        head = f"stored version {version.number} of [bold]{chronicle.slug}[/] (id {chronicle.id})"
    else:
        head = f"unchanged: identical to version {version.number} of [bold]{chronicle.slug}[/]"
    console.print(head, highlight=False)
    counts = ("entries", "markers", "footnotes", "citations", "sources", "new_sources")
    print_table(chronicle.title, ["what", "count"], [(k, data[k]) for k in counts])
    if result.problems:
        rows = [(p.kind.value, p.footnote, p.detail) for p in result.problems]
        print_table("Problems", ["kind", "footnote", "detail"], rows)
    if result.changes:
        rows = [("added", c["footnote"], c["url"]) for c in result.changes.added]
        rows += [("removed", c["footnote"], c["url"]) for c in result.changes.removed]
        rows += [
            ("changed", c["footnote"], f"{c['old_url']} -> {c['new_url']}")
            for c in result.changes.changed
        ]
        title = f"Citations compared with version {result.previous}"
        print_table(title, ["change", "footnote", "url"], rows or [("none", "", "")])


def _citation_rows(session: Session, version_id: int) -> list[dict[str, Any]]:
    from provenance.ingest import version_citations

    rows = []
    for citation, entry in version_citations(session, version_id):
        source = session.get(Source, citation.source_id) if citation.source_id else None
        rows.append(
            {
                "footnote": citation.footnote,
                "entry": entry.position,
                "date": entry.date.isoformat(),
                "place": entry.place,
                "url": citation.url,
                "normalized_url": source.normalized_url if source else None,
                "platform": source.platform.value if source else None,
                "host": source.host if source else None,
                "source_id": source.id if source else None,
                "state": source.state.value if source else None,
            }
        )
    return rows


def _count(session: Session, model: Any, version_id: int) -> int:
    query = select(sa.func.count()).select_from(model).where(model.version_id == version_id)
    return int(session.exec(query).one())


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        source: Annotated[str, typer.Argument(help="Chronicle: a text or HTML file, or a URL.")],
        year: YearOption = None,
        json_out: JsonOption = False,
        proxy: ProxyOption = None,
        home: HomeOption = None,
    ) -> None:
        """Read a chronicle and store its entries, footnotes, citations, sources and problems."""
        from provenance.chronicle import ChronicleError
        from provenance.ingest import ingest_document

        try:
            doc, data, url = _read(source, year, proxy)
        except ChronicleError as exc:
            raise UserError(str(exc)) from exc
        _, engine = engine_for(home)
        try:
            with session_scope(engine) as session:
                result = ingest_document(session, doc, data, url or source, url)
                out = _result_json(result)
        except sa.exc.IntegrityError as exc:
            # Another ingest stored the same chronicle or source between our read and our
            # commit; this transaction was rolled back whole, so running again is safe.
            raise UserError(
                "another ingest stored the same chronicle or sources at the same moment; "
                "nothing of this one was written, run it again"
            ) from exc
        if json_out:
            print_json(out)
        else:
            _print_result(result, out)

    @app.command()
    def chronicles(json_out: JsonOption = False, home: HomeOption = None) -> None:
        """List stored chronicles with their latest version."""
        from provenance.ingest import distinct_sources, version_citations

        _, engine = engine_for(home)
        items = []
        with session_scope(engine) as session:
            for chronicle in session.exec(select(Chronicle).order_by(Chronicle.period)).all():
                latest = latest_version(session, chronicle.id)
                item = _chronicle_json(chronicle)
                item["versions"] = latest.number if latest else 0
                if latest:
                    item |= {
                        "entries": latest.entries,
                        "markers": latest.markers,
                        "footnotes": latest.footnotes,
                        "citations": len(version_citations(session, latest.id)),
                        "problems": _count(session, Problem, latest.id),
                        "sources": distinct_sources(session, latest.id),
                        "ingested_at": latest.ingested_at.isoformat(),
                    }
                items.append(item)
        if json_out:
            print_json({"chronicles": items})
            return
        columns = ["id", "slug", "period", "versions", "entries", "citations", "problems"]
        print_table("Chronicles", columns, [[i.get(c) for c in columns] for i in items])

    @app.command()
    def citations(
        chronicle_ref: Annotated[str, typer.Argument(metavar="CHRONICLE", help="Id or slug.")],
        json_out: JsonOption = False,
        home: HomeOption = None,
    ) -> None:
        """List the citations of a chronicle's latest version with their sources."""
        _, engine = engine_for(home)
        with session_scope(engine) as session:
            chronicle = find_chronicle(session, chronicle_ref)
            if chronicle is None:
                raise UserError(f"no chronicle {chronicle_ref!r} (see `sourcekeep chronicles`)")
            latest: ChronicleVersion | None = latest_version(session, chronicle.id)
            rows = _citation_rows(session, latest.id) if latest else []
            head = _chronicle_json(chronicle)
        if json_out:
            print_json(
                {"chronicle": head, "version": latest.number if latest else None, "citations": rows}
            )
            return
        columns = ["footnote", "entry", "date", "platform", "url", "state"]
        print_table(
            f"Citations of {head['slug']}", columns, [[r[c] for c in columns] for r in rows]
        )
