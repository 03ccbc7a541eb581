"""nbval runs the notebooks offline and without secrets, whatever the caller's environment holds.

Kernels inherit this process's environment, so setting it here reaches them.
"""

import os


def pytest_configure(config):
    os.environ["EVIDENCE_MODE"] = "offline"
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "EVIDENCE_CACHE_DIR", "EVIDENCE_EUTILS_BASE"):
        os.environ.pop(name, None)
