"""A pytest plugin (``-p evidence.present.nbval_ipc``): nbval's kernels talk over Unix sockets in a private
folder instead of loopback TCP ports, as ``execute_notebook`` already does for ``evidence report``.

Why: for each kernel, jupyter_client asks the system for five free TCP ports, closes them, and the kernel
binds them a moment later. In that moment any other loopback socket (the test suite opens thousands, to
its E-utilities and ClinicalTrials.gov doubles) may be given one of those ports; the kernel then fails to
bind and dies before replying to ``kernel_info`` (reported as treebeardtech/nbmake#129, "Address already
in use"). A Unix socket takes no port. nbval has no option for the transport and builds its
``KernelManager`` without a config, so the plugin swaps the class its kernel module uses for a subclass
whose transport defaults to IPC.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager
from traitlets import default

__all__ = ["IPCKernelManager", "pytest_configure", "pytest_unconfigure"]

_SOCKETS: list[Path] = []  # the folder of this process's sockets, made on first use


class IPCKernelManager(KernelManager):
    """A kernel manager whose kernels listen on Unix sockets under one private temporary folder."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # short and absolute: the kernel runs in the notebook's folder, and a socket path has ~100 bytes
        if not _SOCKETS:
            _SOCKETS.append(Path(tempfile.mkdtemp(prefix="evidence-kernels-")))
        return str(_SOCKETS[0] / "kernel")


def pytest_configure(config) -> None:
    try:
        import nbval.kernel
    except ImportError:  # nbval not installed: nothing to configure
        return
    nbval.kernel.KernelManager = IPCKernelManager


def pytest_unconfigure(config) -> None:
    while _SOCKETS:
        shutil.rmtree(_SOCKETS.pop(), ignore_errors=True)
