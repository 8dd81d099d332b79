"""The forward proxy: plain ``GET http://host/...`` requests and ``CONNECT host:443`` tunnels
with TLS, keep-alive on both, answers from the router written byte for byte."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import time
import traceback

from tests.fixtureweb.certs import CertificateAuthority
from tests.fixtureweb.protocol import (
    MAX_HEAD,
    BadRequest,
    Request,
    Response,
    chunk_frames,
    head_block,
    http_date,
    read_body,
    read_head,
)
from tests.fixtureweb.recorder import Connect, Recorder, SentResponse
from tests.fixtureweb.router import Router, known_host, unknown_host

IDLE_TIMEOUT = 60.0
NO_BODY_STATUSES = {204, 304}
_NET_ERRORS = (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError, OSError)


class ProxyServer:
    def __init__(
        self,
        router: Router,
        ca: CertificateAuthority,
        recorder: Recorder,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.router = router
        self.ca = ca
        self.recorder = recorder
        self.host = host
        self.port = port
        self.errors: list[str] = []  # tracebacks of failures inside the fixture web itself
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, self.host, self.port, limit=MAX_HEAD
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer, tunnel=None)
        except _NET_ERRORS:
            pass  # the client went away; the log holds what was sent until then
        except asyncio.CancelledError:
            pass  # the fixture web is stopping: end this connection quietly
        except BadRequest as exc:
            await self._bad_request(writer, str(exc))
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _bad_request(self, writer: asyncio.StreamWriter, why: str) -> None:
        body = f"Bad Request: {why}\n".encode()
        with contextlib.suppress(*_NET_ERRORS):
            writer.write(
                head_block(
                    "HTTP/1.1",
                    400,
                    "Bad Request",
                    [
                        ("Content-Type", "text/plain"),
                        ("Content-Length", str(len(body))),
                        ("Connection", "close"),
                    ],
                )
                + body
            )
            await writer.drain()

    def _absolute(self, target: str, headers: list[tuple[str, str]], tunnel: str | None) -> str:
        if "://" in target:
            return target
        host = next((v for k, v in headers if k.lower() == "host"), "")
        if tunnel is not None:
            name, _, port = tunnel.rpartition(":")
            scheme = "http" if port == "80" else "https"
            host = host or (name if port in ("443", "80") else tunnel)
            return f"{scheme}://{host}{target}"
        return f"http://{host}{target}"

    def _is_self(self, target: str, host: str) -> bool:
        """An origin-form request addressed to the proxy itself (its control endpoints)."""
        if "://" in target:
            return False
        name = host.rpartition(":")[0] if host.count(":") == 1 else host
        return name in ("127.0.0.1", "localhost", self.host, "") or not known_host(name)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tunnel: str | None
    ) -> None:
        while True:
            try:
                method, target, version, headers = await asyncio.wait_for(
                    read_head(reader), IDLE_TIMEOUT
                )
            except EOFError:
                return
            if method == "CONNECT" and tunnel is None:
                await self._connect(reader, writer, target, headers)
                return
            body = await read_body(reader, headers)
            url = self._absolute(target, headers, tunnel)
            req = Request(method, target, version, headers, body, url, tunnel, time.time())
            self.recorder.request(req)
            host_header = next((v for k, v in headers if k.lower() == "host"), "")
            to_self = tunnel is None and self._is_self(target, host_header)
            try:
                resp = self.router.route(req, control=to_self)
            except Exception:  # a bug in the fixture web: answer 500 and keep the traceback
                self.errors.append(traceback.format_exc())
                resp = Response(
                    500, [("Content-Type", "text/plain")], b"fixture web error\n", close=True
                )
            if not await self._send(writer, req, resp):
                return

    async def _connect(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        target: str,
        headers: list[tuple[str, str]],
    ) -> None:
        host, _, port = target.rpartition(":")
        host = host.strip("[]").lower()
        if not host or not port.isdigit() or not known_host(host):
            resp = unknown_host(host or target)
            self.recorder.connect(Connect(target, resp.status, None, headers))
            req = Request(
                "CONNECT", target, "HTTP/1.1", headers, b"", f"https://{target}/", None, time.time()
            )
            resp.close = True
            await self._send(writer, req, resp)
            return
        connect = Connect(target, 200, None, headers)
        self.recorder.connect(connect)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        if port != "80":
            acking = asyncio.ensure_future(_ack_promptly(writer))
            try:
                await writer.start_tls(self.ca.context_for(host))
            finally:
                acking.cancel()
            ssl_object = writer.get_extra_info("ssl_object")
            connect.sni = self.ca.sni_of(ssl_object)
        await self._serve(reader, writer, tunnel=f"{host}:{port}")

    def _head(self, req: Request, resp: Response, keep: bool) -> bytes:
        headers = list(resp.headers)
        if not resp.has_header("Date"):
            at = 1 if headers and headers[0][0].lower() == "server" else 0
            headers.insert(at, ("Date", http_date()))
        if resp.chunks is not None:
            headers.append(("Transfer-Encoding", "chunked"))
        elif resp.status not in NO_BODY_STATUSES and not resp.has_header("Content-Length"):
            headers.append(("Content-Length", str(len(resp.body))))
        if not keep:
            headers.append(("Connection", "close"))
        elif req.version == "HTTP/1.0":
            headers.append(("Connection", "keep-alive"))
        return head_block("HTTP/1.1", resp.status, resp.reason_phrase, headers)

    async def _send(self, writer: asyncio.StreamWriter, req: Request, resp: Response) -> bool:
        """Write the answer; returns whether the connection stays open for the next request.

        The record is updated before each write, so a client that has read the response can
        rely on finding it in the log; ``complete`` turns False again if a write fails.
        """
        cut = resp.reset_after is not None or resp.drip is not None or resp.stall is not None
        keep = req.keep_alive and not resp.close and not cut
        body = b"" if req.method == "HEAD" or resp.status in NO_BODY_STATUSES else resp.body
        record = SentResponse(
            url=req.url,
            status=resp.status,
            reason=resp.reason_phrase,
            head=b"",
            payload=b"",
            complete=False,
            chunked=resp.chunks is not None,
            request=req,
        )
        self.recorder.response(record)
        if resp.stall is not None:
            await asyncio.sleep(resp.stall)
            return False
        record.head = self._head(req, resp, keep)
        try:
            if resp.reset_after is not None:
                record.payload = body[: resp.reset_after]
                writer.write(record.head + record.payload)
                await writer.drain()
                await asyncio.sleep(0.05)
                _reset(writer)
                return False
            if resp.drip is not None:
                step, pause = resp.drip
                writer.write(record.head)
                for pos in range(0, len(body), step):
                    await writer.drain()
                    record.payload += body[pos : pos + step]
                    writer.write(body[pos : pos + step])
                    await asyncio.sleep(pause)
                record.complete = True
                await writer.drain()
                return False
            if resp.chunks is not None:
                writer.write(record.head)
                frames = chunk_frames(body, resp.chunks) if body else [b"0\r\n\r\n"]
                for frame in frames[:-1]:
                    await writer.drain()
                    writer.write(frame)
                record.payload, record.complete = body, True
                writer.write(frames[-1])
            else:
                record.payload, record.complete = body, True
                writer.write(record.head + body)
            await writer.drain()
            return keep
        except BaseException:
            record.complete = False
            raise


async def _ack_promptly(writer: asyncio.StreamWriter) -> None:
    """Keep the socket acknowledging at once while the TLS handshake runs.

    A TLS 1.3 client in middlebox-compatibility mode with Nagle's algorithm on (wget/GnuTLS)
    sends ChangeCipherSpec and Finished as two small writes and holds the second back until
    the first is acknowledged; the kernel's delayed ACK would add about 40 ms to every new
    tunnel. TCP_QUICKACK is not sticky, so it is set again every millisecond (setting it
    also sends an ACK that is pending).
    """
    sock = writer.get_extra_info("socket")
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if sock is None or quickack is None:
        return
    while True:
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
        await asyncio.sleep(0.001)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0 so the peer sees a TCP reset, not an orderly end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
