"""Configuration, read once from the environment into an immutable ``Settings``.

Variables: ``NCBI_EMAIL``, ``NCBI_API_KEY``, ``EVIDENCE_MODE`` (offline, cached, live),
``EVIDENCE_CACHE_DIR``, ``EVIDENCE_EUTILS_BASE`` and ``EVIDENCE_CTGOV_BASE`` (tests point them at loopback
doubles), ``EVIDENCE_CHROMIUM`` (the browser that prints the writer's brief, when it is not on PATH).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigurationError

__all__ = ["CTGOV_BASE", "MODES", "NCBI_EUTILS_BASE", "Settings", "project_root"]

NCBI_EUTILS_BASE = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
CTGOV_BASE = "https://clinicaltrials.gov/api/v2/"
MODES = ("offline", "cached", "live")
# Offline by default, for every verb and every caller: the network is used only when a user asks for it
# (EVIDENCE_MODE=cached or live, with NCBI_EMAIL), so a fresh machine with no NCBI settings runs everything.
DEFAULT_MODE = "offline"


def project_root() -> Path:
    """The nearest folder at or above the cwd holding claims.csv (so a second project is found where the
    user works), else the checkout this package lives in (src layout)."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "claims.csv").is_file():
            return folder
    here = Path(__file__).resolve().parents[2]
    if (here / "claims.csv").is_file():
        return here
    raise ConfigurationError(
        "cannot find the project root (a folder holding claims.csv) above the package or the current "
        "directory. Fix: run from inside the evidence checkout, or install it with `pip install -e .`."
    )


@dataclass(frozen=True)
class Settings:
    """Everything the client needs; build it with ``Settings.from_env()``."""

    mode: str = DEFAULT_MODE
    email: str | None = None
    api_key: str | None = field(default=None, repr=False)
    cache_dir: Path = Path("data/cache")
    eutils_base: str = NCBI_EUTILS_BASE
    ctgov_base: str = CTGOV_BASE
    timeout: float = 30.0
    max_tries: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    root: Path = Path(".")
    chromium: str = ""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigurationError(
                f"EVIDENCE_MODE={self.mode!r} is not a mode. Fix: set it to one of {', '.join(MODES)}."
            )
        if not self.eutils_base.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"EVIDENCE_EUTILS_BASE={self.eutils_base!r} is not an http(s) URL. "
                f"Fix: unset it to use NCBI ({NCBI_EUTILS_BASE})."
            )
        if not self.eutils_base.endswith("/"):
            object.__setattr__(self, "eutils_base", self.eutils_base + "/")
        if not self.ctgov_base.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"EVIDENCE_CTGOV_BASE={self.ctgov_base!r} is not an http(s) URL. Fix: unset it to use {CTGOV_BASE}."
            )
        if not self.ctgov_base.endswith("/"):
            object.__setattr__(self, "ctgov_base", self.ctgov_base + "/")
        if self.max_tries < 1:
            raise ConfigurationError(f"max_tries must be at least 1, not {self.max_tries}.")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read the settings from ``environ`` (default ``os.environ``); keyword overrides win."""
        env = os.environ if environ is None else environ
        root = overrides.pop("root", None) or project_root()
        cache_dir = Path(env.get("EVIDENCE_CACHE_DIR") or "data/cache")
        if not cache_dir.is_absolute():
            cache_dir = root / cache_dir
        values = dict(
            mode=(env.get("EVIDENCE_MODE") or DEFAULT_MODE).strip().lower(),
            email=(env.get("NCBI_EMAIL") or "").strip() or None,
            api_key=(env.get("NCBI_API_KEY") or "").strip() or None,
            cache_dir=cache_dir,
            eutils_base=(env.get("EVIDENCE_EUTILS_BASE") or NCBI_EUTILS_BASE).strip(),
            ctgov_base=(env.get("EVIDENCE_CTGOV_BASE") or CTGOV_BASE).strip(),
            root=root,
            chromium=(env.get("EVIDENCE_CHROMIUM") or "").strip(),
        )
        values.update(overrides)
        return cls(**values)

    def display_path(self, path: Path) -> str:
        """``path`` relative to the project root when inside it (no machine paths in outputs)."""
        try:
            return Path(path).resolve().relative_to(Path(self.root).resolve()).as_posix()
        except ValueError:
            return str(path)

    def __repr__(self) -> str:
        key = "None" if self.api_key is None else "'***'"
        return (
            f"Settings(mode={self.mode!r}, email={self.email!r}, api_key={key}, "
            f"cache_dir={self.display_path(self.cache_dir)!r}, eutils_base={self.eutils_base!r})"
        )
