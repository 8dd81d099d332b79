"""The control URLs (``http://fixture.control/...`` through the proxy, or ``/...`` on the proxy
port itself), for driving a fixture web that runs in another process.

- ``/stage?url=U&stage=S``  set the stage of U (see ``Stage``); answers the stage as JSON
- ``/stage?url=U``          read the stage of U
- ``/reset``                forget stages, counters and the request/response log
- ``/hits?url=U``           ``{"url": U, "hits": N}``
- ``/requests?url=U``       requests received for U (method, url, headers)
- ``/responses?url=U``      responses sent for U (status, reason, head, payload SHA-256...)
- ``/ca.pem``               the CA certificate
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.fixtureweb.protocol import Response
from tests.fixtureweb.recorder import Recorder
from tests.fixtureweb.responses import Context
from tests.fixtureweb.state import Stage


def _json(status: int, obj: Any) -> Response:
    body = json.dumps(obj, ensure_ascii=False).encode()
    return Response(
        status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body
    )


def answer(ctx: Context, recorder: Recorder, ca_pem: bytes, reset: Callable[[], None]) -> Response:
    req = ctx.req
    path = req.path.rstrip("/")
    url = req.param("url")
    if path == "/reset":
        reset()
        return _json(200, {"reset": True})
    if path == "/ca.pem":
        return Response(200, [("Content-Type", "application/x-pem-file")], ca_pem)
    if path not in ("/stage", "/hits", "/requests", "/responses"):
        return _json(404, {"error": f"no control endpoint {path!r}"})
    if not url:
        return _json(400, {"error": "parameter 'url' is required"})
    if path == "/stage":
        value = req.param("stage")
        if value is None:
            return _json(200, {"url": url, "stage": ctx.state.stage(url).value})
        try:
            stage = ctx.state.set_stage(url, value)
        except ValueError:
            choices = ", ".join(s.value for s in Stage)
            return _json(400, {"error": f"unknown stage {value!r} (one of {choices})"})
        return _json(200, {"url": url, "stage": stage.value})
    if path == "/hits":
        return _json(200, {"url": url, "hits": len(recorder.requests(url))})
    if path == "/requests":
        return _json(
            200,
            [
                {"method": r.method, "url": r.url, "headers": r.headers, "tunnel": r.tunnel}
                for r in recorder.requests(url)
            ],
        )
    return _json(
        200,
        [
            {
                "status": r.status,
                "reason": r.reason,
                "head": r.head.decode("latin-1"),
                "payload_sha256": r.payload_sha256,
                "payload_length": len(r.payload),
                "complete": r.complete,
                "chunked": r.chunked,
            }
            for r in recorder.responses(url)
        ],
    )
