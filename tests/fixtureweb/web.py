"""``FixtureWeb``: the proxy running in a background thread with its own event loop, plus the
Python API tests use to control it and to look at what it received and sent."""

from __future__ import annotations

import asyncio
import ssl
import tempfile
import threading
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType

from tests.fixtureweb import catalogue
from tests.fixtureweb.certs import CertificateAuthority
from tests.fixtureweb.protocol import Request
from tests.fixtureweb.recorder import Connect, Recorder, SentResponse
from tests.fixtureweb.responses import Config
from tests.fixtureweb.router import Router
from tests.fixtureweb.server import ProxyServer
from tests.fixtureweb.state import Stage, State


class FixtureWeb:
    """A forward proxy on 127.0.0.1 that answers for the real hostnames.

    ``start()`` runs it in a daemon thread; ``stop()`` closes every connection. Use it as a
    context manager or through the ``fixture_web`` pytest fixture.
    """

    def __init__(
        self,
        port: int = 0,
        page_size: int | None = None,
        compress: bool = False,
        directory: Path | None = None,
    ) -> None:
        self._tmp = None if directory else tempfile.TemporaryDirectory(prefix="fixtureweb-")
        self.directory = Path(directory or self._tmp.name)  # type: ignore[union-attr]
        self.ca = CertificateAuthority(
            self.directory, expired_hosts=frozenset({catalogue.TLS_EXPIRED_HOST})
        )
        self.state = State()
        self.recorder = Recorder()
        self.config = Config(page_size=page_size, compress=compress)
        self.router = Router(self.state, self.recorder, self.config, self.ca.ca_pem, self.reset)
        self.server = ProxyServer(self.router, self.ca, self.recorder, port=port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- running --------------------------------------------------------------------------
    def start(self) -> FixtureWeb:
        ready: Future[None] = Future()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fixture-web", daemon=True
        )
        self._thread.start()
        ready.result(timeout=30)
        return self

    def _run(self, ready: Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.server.start())
        except BaseException as exc:
            ready.set_exception(exc)
            loop.close()
            return
        ready.set_result(None)
        loop.run_forever()
        loop.run_until_complete(self.server.stop())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop = self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- how clients reach it ----------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.server.port

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        return self.ca.ca_path

    def env(self) -> dict[str, str]:
        """Proxy variables for a child process or ``monkeypatch``: both spellings, no bypass."""
        return {
            "http_proxy": self.proxy_url,
            "https_proxy": self.proxy_url,
            "HTTP_PROXY": self.proxy_url,
            "HTTPS_PROXY": self.proxy_url,
            "no_proxy": "",
            "NO_PROXY": "",
        }

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts only this fixture web's CA."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    def fingerprint(self, host: str) -> str:
        """SHA-256 (hex) of the DER certificate the proxy presents for ``host``."""
        return self.ca.fingerprint(host)

    # -- control ------------------------------------------------------------------------------
    def set_stage(self, url: str, stage: Stage | str) -> Stage:
        return self.state.set_stage(url, stage)

    def stage(self, url: str) -> Stage:
        return self.state.stage(url)

    def reset(self) -> None:
        """Forget stages, per-URL counters and the request/response log."""
        self.state.clear()
        self.recorder.clear()

    # -- observation --------------------------------------------------------------------------
    def requests_for(self, url: str | None = None) -> list[Request]:
        """Requests received for ``url`` (scheme ignored), or all of them, in order."""
        return self.recorder.requests(url)

    def responses_for(self, url: str | None = None) -> list[SentResponse]:
        """Responses sent for ``url`` (scheme ignored), or all of them, in order."""
        return self.recorder.responses(url)

    def hits(self, url: str) -> int:
        return len(self.recorder.requests(url))

    def connects(self) -> list[Connect]:
        return self.recorder.connects()

    @property
    def errors(self) -> list[str]:
        """Tracebacks of failures inside the fixture web (answered as 500); should be empty."""
        return list(self.server.errors)


def serve(port: int = 0, page_size: int | None = None, compress: bool = False) -> None:
    """Run in the foreground until interrupted, printing the proxy URL and the CA path."""
    web = FixtureWeb(port=port, page_size=page_size, compress=compress)
    web.start()
    print(f"proxy_url {web.proxy_url}", flush=True)
    print(f"ca_path {web.ca_path}", flush=True)
    print(f"control {catalogue.control_url('stage', url='URL', stage='v2')}", flush=True)
    stopped = threading.Event()
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
