"""Storing what the spider fetched: WARC records first, then the database rows.

Runs in one dedicated thread (the pipeline hands work to it), so the WARC files and the
database see one writer and the reactor never waits on disk or database.

For every archived fetch, each hop with a response (redirects, retried attempts, the final
answer) becomes a ``request``, ``response`` and ``metadata`` record; ``WarcStore.write_fetch``
flushes and fsyncs them before it returns, and only then is the ``Capture`` row committed
with a ``CaptureRecord`` per record. Sources and extracted texts that arrive while the thread
is busy are stored as one batch (``store_batch``): all their records are written as one
``WarcStore.group()`` (one fsync), then all their rows are inserted in bulk and commit at once
(``captures.record_captures`` and ``captures.set_texts``: one database sync). Each payload is
hashed once; its digest serves the WARC record, the revisit look-up and the row. The
capture's status, hashes and sizes are those of the final response (the citation's capture);
every hop stays in the WARC.

Revisits: a final response whose non-empty payload (as stored: cut at the size cap where it
was) has the same SHA-256 as an earlier stored response *of the same URL* is written as a
``revisit`` record (identical-payload-digest profile). Digests are not shared across URLs,
so a source's evidence never depends on another source's records. Responses written by this
store are remembered by (URL, digest), so a revisit is found before its rows are committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from archive.digest import PREFIX
from archive.exchange import FetchInfo, HttpExchange, PriorCapture
from archive.text import Extracted
from archive.warc import FetchRecords, RecordRef, WarcFileInfo, WarcStore
from crawler.capture import Hop
from crawler.results import Role
from crawler.spider import FetchResult, SourceItem
from provenance import captures
from provenance.models import Capture, CaptureRecord, utcnow
from provenance.states import FetchOutcome


@dataclass
class TextJob:
    """A stored capture whose text is still to be extracted."""

    capture_id: int
    url: str
    body: bytes
    content_type: str | None
    response: RecordRef | None  # the response record the conversion refers to


@dataclass
class StoredSource:
    """What storing a source produced: a capture id per fetch result (None: not stored)."""

    item: SourceItem
    capture_ids: list[int | None]
    text_jobs: list[TextJob]


Work = SourceItem | tuple[TextJob, Extracted]
"""What the storage thread stores: a fetched source, or a text extracted for a capture."""


def _ref(rec: RecordRef) -> captures.RecordLocation:
    return captures.RecordLocation(
        record_type=rec.record_type,
        record_id=rec.record_id,
        target_uri=rec.target_uri,
        warc_filename=rec.filename,
        offset=rec.offset,
        length=rec.length,
        payload_digest=rec.payload_digest,
    )


class CaptureStore:
    """WARC + database writer of one run."""

    def __init__(
        self,
        engine: Engine,
        warcs: WarcStore,
        run_id: int,
        software: str,
        wants_text: Callable[[str | None, bytes], bool],
    ) -> None:
        self.engine = engine
        self.warcs = warcs
        self.run_id = run_id
        self.software = software
        self.wants_text = wants_text
        self._files: set[str] = set()
        self._stored_before: set[str] | None = None  # URLs with a response stored earlier
        # final responses this store wrote, by (URL, payload digest): what a revisit refers to
        self._written: dict[tuple[str, str], PriorCapture] = {}

    # -- one source ---------------------------------------------------------------------

    def store(self, item: SourceItem) -> StoredSource:
        return self.store_many([item])[0]

    def store_many(self, items: list[SourceItem]) -> list[StoredSource]:
        """Store several sources: all their records are durable before one commit of all
        their rows (a group commit: one fsync and one database sync for the batch)."""
        stored = self.store_batch(items)
        return [s for s in stored if s is not None]

    def store_batch(self, work: list[Work]) -> list[StoredSource | None]:
        """Store sources and extracted texts together: every WARC record of the batch is
        written in one group (flushed and fsync'd once), then every row commits at once.
        Returns a ``StoredSource`` per source and None per text, in the order given."""
        batch = _Batch()
        with Session(self.engine, expire_on_commit=False) as session:
            self._responses_stored(session)  # known before this store writes any
            with self.warcs.group():
                for piece in work:
                    if isinstance(piece, SourceItem):
                        self._store_source(session, batch, piece)
                    else:
                        self._store_text(session, batch, *piece)
            # the group has ended: the records are on disk before the rows commit
            captures.record_captures(session, batch.captures)
            captures.set_texts(session, batch.texts)
            session.commit()
        out: list[StoredSource | None] = []
        for piece in work:
            out.append(batch.stored(piece) if isinstance(piece, SourceItem) else None)
        return out

    def _store_source(self, session: Session, batch: _Batch, item: SourceItem) -> None:
        for result in item.results:
            if result.archive:
                capture, locations, job = self._store_result(session, item, result)
                batch.captures.append((capture, locations))
                batch.pending.append((item, capture, job))

    def _store_result(
        self, session: Session, item: SourceItem, result: FetchResult
    ) -> tuple[Capture, list[captures.RecordLocation], _PendingText | None]:
        hops = result.hops
        chain: list[str] = []
        locations: list[captures.RecordLocation] = []
        final_records: FetchRecords | None = None
        final = result.final_hop
        exchange = result.exchange
        final_sha256: str | None = None
        for hop in hops:
            if hop.response is None or hop.request is None:
                continue
            is_final = hop is final
            sha256 = hashlib.sha256(hop.response.payload).hexdigest()
            digest = PREFIX + sha256
            prior = self._prior(session, hop, digest) if is_final else None
            written = self.warcs.write_fetch(
                self._exchange(item, result, hop, list(chain)), revisit_of=prior, digest=digest
            )
            if is_final:
                final_sha256 = sha256
                if not written.is_revisit:
                    self._remember(hop, written.response, digest)
            self._note_files(session, written)
            locations.extend(_ref(r) for r in written.records)
            if is_final:
                final_records = written
            if hop.is_redirect:
                chain.append(hop.url)
        outcome = exchange.outcome
        if (
            final_records is not None
            and final_records.is_revisit
            and outcome is FetchOutcome.CAPTURED
        ):
            # an error page seen again stays an http_error; its record is still a revisit
            outcome = FetchOutcome.REVISIT
        exchange.outcome = outcome
        response = final.response if final else None
        if response is not None:
            exchange.payload_sha256 = final_sha256 or hashlib.sha256(response.payload).hexdigest()
            same = exchange.body is response.payload or exchange.body == response.payload
            exchange.body_sha256 = (
                exchange.payload_sha256 if same else hashlib.sha256(exchange.body).hexdigest()
            )
        capture = Capture(
            source_id=item.target.source_id,
            run_id=self.run_id,
            started_at=hops[0].started_at if hops else exchange.started_at or utcnow(),
            finished_at=utcnow(),
            warc_date=final.started_at if final else exchange.started_at or utcnow(),
            requested_url=exchange.requested_url,
            final_url=final.url if final else None,
            http_status=response.status if response else None,
            outcome=outcome,
            error=exchange.error,
            content_type=response.content_type if response else None,
            payload_sha256=exchange.payload_sha256,
            body_sha256=exchange.body_sha256,
            payload_size=len(response.payload) if response else None,
            body_size=len(exchange.body) if response else None,
            ip_address=final.ip_address if final else None,
            tls_sha256=final.tls.cert_sha256 if final and final.tls else None,
            tls_valid=final.tls.valid if final and final.tls else None,
            redirects=exchange.redirects,
            session_used=any(h.session for h in hops),
        )
        job = None
        if response is not None and self.wants_text(response.content_type, exchange.body):
            assert final is not None
            ref = final_records.response if final_records and not final_records.is_revisit else None
            job = _PendingText(final.url, exchange.body, response.content_type, ref)
        # owed until ``captures.set_texts`` stores it (a crash or a failed extraction before
        # then leaves it for the next run to finish from the stored records)
        capture.text_pending = job is not None
        return capture, locations, job

    def _prior(self, session: Session, hop: Hop, digest: str) -> PriorCapture | None:
        """The response a final hop's payload may be a revisit of: the earliest one stored
        before this run, else one written by this store."""
        assert hop.response is not None
        if not hop.response.payload:
            return None
        if hop.url in self._responses_stored(session):  # no query for a URL never stored
            prior = captures.prior_response(session, hop.url, digest)
            if prior is not None:
                return PriorCapture(prior.record_id, prior.target_uri, prior.warc_date, digest)
        return self._written.get((hop.url, digest))

    def _remember(self, hop: Hop, response: RecordRef, digest: str) -> None:
        assert hop.response is not None
        if not hop.response.payload:
            return
        key = (hop.url, digest)
        if key not in self._written:
            self._written[key] = PriorCapture(
                response.record_id, response.target_uri, hop.started_at, digest
            )

    def _responses_stored(self, session: Session) -> set[str]:
        """The URLs of the database's response records, loaded once before this store
        writes any (what it writes itself is in ``_written``)."""
        if self._stored_before is None:
            query = select(CaptureRecord.target_uri).where(
                CaptureRecord.record_type == "response"
            )
            self._stored_before = set(session.exec(query.distinct()).all())
        return self._stored_before

    def _exchange(
        self, item: SourceItem, result: FetchResult, hop: Hop, chain: list[str]
    ) -> HttpExchange:
        assert hop.request is not None and hop.response is not None
        timings = {"total": hop.elapsed}
        if hop.latency is not None:
            timings["headers"] = hop.latency
        extra = {"role": str(result.role)}
        if result.role is not Role.PAGE:
            extra["source"] = item.target.url
        info = FetchInfo(
            crawler=self.software,
            tls_sha256=hop.tls.cert_sha256 if hop.tls else None,
            tls_valid=hop.tls.valid if hop.tls else None,
            tls_error=hop.tls.error if hop.tls else None,
            redirect_chain=chain,
            timings=timings,
            proxy=hop.proxy,
            session=hop.session,
            via=item.target.url if result.role is not Role.PAGE else None,
            extra=extra,
        )
        return HttpExchange(
            target_uri=hop.url,
            warc_date=hop.started_at,
            request=hop.request,
            response=hop.response,
            fetch=info,
            ip_address=hop.ip_address,
        )

    # -- text ---------------------------------------------------------------------------

    def store_texts(self, done: list[tuple[TextJob, Extracted]]) -> None:
        """Write the conversion records (where there is text) in one group, then commit the
        text columns of all of them at once."""
        self.store_batch(list(done))

    def _store_text(
        self, session: Session, batch: _Batch, job: TextJob, extracted: Extracted
    ) -> None:
        conversion = None
        if extracted.text and job.response is not None:
            written = self.warcs.write_conversion(job.response, extracted.text)
            conversion = _ref(written)
            self._note_file(session, conversion.warc_filename)
        facts = captures.TextFacts(
            text=extracted.text,
            sha256=extracted.sha256,
            simhash=extracted.simhash,
            title=extracted.title,
            author=extracted.author,
            published=extracted.date,
        )
        batch.texts.append(captures.TextUpdate(job.capture_id, facts, conversion))

    # -- files --------------------------------------------------------------------------

    def _note_files(self, session: Session, written: FetchRecords) -> None:
        for info in written.closed_files:
            self._closed(session, info)
        for rec in written.records:
            self._note_file(session, rec.filename)

    def _note_file(self, session: Session, filename: str) -> None:
        if filename not in self._files:
            self._files.add(filename)
            captures.note_warc_file(session, filename, commit=False)

    def _closed(self, session: Session, info: WarcFileInfo) -> None:
        self._files.add(info.filename)
        captures.note_warc_file(
            session, info.filename, size=info.size, sha256=info.sha256, closed=True, commit=False
        )

    def close(self) -> None:
        """Close the current WARC file and record its SHA-256."""
        closed = [*self.warcs.take_closed()]
        last = self.warcs.close()
        if last is not None:
            closed.append(last)
        with Session(self.engine, expire_on_commit=False) as session:
            for info in closed:
                self._closed(session, info)
            session.commit()


@dataclass
class _PendingText:
    """A text job whose capture id is known only once its row is inserted."""

    url: str
    body: bytes
    content_type: str | None
    response: RecordRef | None


@dataclass
class _Batch:
    """The rows of one ``store_batch``, inserted together after its WARC group ended."""

    captures: list[tuple[Capture, list[captures.RecordLocation]]] = field(default_factory=list)
    pending: list[tuple[SourceItem, Capture, _PendingText | None]] = field(default_factory=list)
    texts: list[captures.TextUpdate] = field(default_factory=list)

    def stored(self, item: SourceItem) -> StoredSource:
        """What was stored for ``item`` (capture ids are set once the rows are inserted)."""
        mine = iter([(c, p) for i, c, p in self.pending if i is item])
        ids: list[int | None] = []
        jobs: list[TextJob] = []
        for result in item.results:
            if not result.archive:
                ids.append(None)
                continue
            capture, pending = next(mine)
            assert capture.id is not None
            ids.append(capture.id)
            if pending is not None:
                jobs.append(
                    TextJob(
                        capture.id, pending.url, pending.body, pending.content_type,
                        pending.response,
                    )
                )
        return StoredSource(item, ids, jobs)
