"""nbval runs the notebooks offline and without secrets, whatever the caller's environment holds,
and compares their figures too.

Kernels inherit this process's environment, so setting it here reaches them. nbval skips PNG data
unless asked for nbdime diffs; our figures are byte-stable (no Software metadata), so we compare them
as well: nbval's one execution of each notebook then checks every output against the committed one.
"""

import os

IMAGES = ("image/png",)


def pytest_configure(config):
    os.environ["EVIDENCE_MODE"] = "offline"
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "EVIDENCE_CACHE_DIR", "EVIDENCE_EUTILS_BASE"):
        os.environ.pop(name, None)


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(key for key in collector.skip_compare if key not in IMAGES)
