"""pytest fixtures: ``fixture_web`` (one per test session) and ``fresh_fixture_web`` (the same
server, reset before the test: no stages, counters or log left over from other tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtureweb.web import FixtureWeb


@pytest.fixture(scope="session")
def fixture_web() -> Iterator[FixtureWeb]:
    web = FixtureWeb().start()
    try:
        yield web
    finally:
        web.stop()


@pytest.fixture
def fresh_fixture_web(fixture_web: FixtureWeb) -> Iterator[FixtureWeb]:
    fixture_web.reset()
    before = len(fixture_web.errors)
    yield fixture_web
    errors = fixture_web.errors[before:]
    if errors:
        pytest.fail("the fixture web failed while answering:\n" + "\n".join(errors))
