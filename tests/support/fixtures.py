"""Pytest fixtures built on the helpers of :mod:`tests.support` (import them into a conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.gemini_stub import GeminiStub


@pytest.fixture
def gemini_stub() -> Iterator[GeminiStub]:
    """A started :class:`GeminiStub`, fresh for each test; pass ``base_url=gemini_stub.url``."""
    with GeminiStub() as stub:
        yield stub
