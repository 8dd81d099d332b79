"""Why a fetch got no answer is told by the exception's type, and decides what a check says."""

from __future__ import annotations

import pytest
from OpenSSL.SSL import Error as TlsError
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from twisted.internet.error import ConnectionLost, ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.capture import network_failure
from crawler.platforms.common import answer_observation
from crawler.results import FetchedExchange, Role
from provenance.states import FetchOutcome, NetworkFailure, SourceState


def _wrapped(exc: Exception) -> list[Failure]:
    try:
        raise exc
    except Exception:
        return [Failure()]


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (DNSLookupError("kaztag.kz"), NetworkFailure.DNS),
        (CannotResolveHostError("kaztag.kz"), NetworkFailure.DNS),
        (ConnectionRefusedError(), NetworkFailure.REFUSED),
        (ResponseFailed(_wrapped(ConnectionLost())), NetworkFailure.RESET),
        (ResponseNeverReceived(_wrapped(TlsError("handshake"))), NetworkFailure.TLS),
        (TunnelError("Could not open CONNECT tunnel"), NetworkFailure.PROXY),
        (DownloadTimeoutError("took too long"), NetworkFailure.TIMEOUT),
        (ValueError("something else"), NetworkFailure.OTHER),
    ],
)
def test_failures_are_classified_by_type(exc: Exception, kind: NetworkFailure) -> None:
    assert network_failure(exc) is kind


def _failed(kind: NetworkFailure) -> FetchedExchange:
    return FetchedExchange(
        role=Role.PAGE,
        requested_url="https://kaztag.kz/ru/news/1",
        final_url=None,
        outcome=FetchOutcome.NETWORK_ERROR,
        # the message mentions DNS, but only the type decides
        error="TunnelError: proxy said: DNSLookupError",
        network_failure=kind,
    )


def test_only_a_host_that_does_not_resolve_points_to_gone() -> None:
    gone = answer_observation(_failed(NetworkFailure.DNS))
    assert gone is not None and gone.state is SourceState.GONE
    assert gone.evidence["network_failure"] == "dns"
    for kind in (NetworkFailure.PROXY, NetworkFailure.RESET, NetworkFailure.REFUSED):
        seen = answer_observation(_failed(kind))
        assert seen is not None and seen.state is SourceState.UNREACHABLE, kind
