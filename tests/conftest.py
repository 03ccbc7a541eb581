"""Shared fixtures: the loopback E-utilities double and settings pointed at it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from eutils_double import EutilsDouble  # noqa: E402
from support import SENTINEL_KEY  # noqa: E402

from evidence.settings import Settings  # noqa: E402



@pytest.fixture
def double():
    with EutilsDouble() as server:
        yield server


@pytest.fixture
def make_settings(double, tmp_path):
    """Settings for a client that talks to the double and caches under tmp_path."""

    def make(**changes) -> Settings:
        values = dict(
            mode="cached",
            email="tests@example.org",
            api_key=SENTINEL_KEY,
            cache_dir=tmp_path / "cache",
            eutils_base=double.base,
            root=tmp_path,
            timeout=5.0,
            max_tries=3,
            backoff_seconds=0.01,
            max_backoff_seconds=0.5,
        )
        values.update(changes)
        return Settings(**values)

    return make
