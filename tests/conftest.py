"""Shared fixtures: the loopback E-utilities double and settings pointed at it.

The whole suite runs under pytest-socket (``--allow-hosts`` in pyproject.toml): a connection to any
host but the loopback addresses fails at once, so no test reaches the network by accident.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

sys.path.insert(0, str(Path(__file__).parent))

from eutils_double import EutilsDouble  # noqa: E402
from support import SENTINEL_KEY  # noqa: E402

from evidence.settings import Settings  # noqa: E402

# What every kernel and subprocess of the suite inherits, as under `python3 tasks.py test`, so that a bare
# `pytest` runs the same way: offline, no NCBI e-mail or key from the caller's shell, a fixed hash seed.
for _name in ("NCBI_EMAIL", "NCBI_API_KEY"):
    os.environ.pop(_name, None)
os.environ.update(EVIDENCE_MODE="offline", PYTHONHASHSEED="0")

# Hypothesis writes nothing into the checkout: no example database, and its other storage (a cache of
# constants) goes to a temporary folder removed at exit.
hypothesis_settings.register_profile("evidence", database=None)
hypothesis_settings.load_profile("evidence")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="evidence-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)


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
            max_tries=3,
            backoff_seconds=0.01,
            max_backoff_seconds=0.5,
        )
        values.update(changes)
        return Settings(**values)

    return make
