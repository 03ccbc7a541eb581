#!/usr/bin/env python3
"""The project's two commands, for a machine with only Python 3.11+ and git.

    python3 tasks.py report   # check the project, regenerate and execute the notebooks offline, build the book
    python3 tasks.py test     # the whole test suite, notebooks (nbval) and the book in Chromium included

Each creates or reuses the virtual environment .venv and installs the project into it
(again only when pyproject.toml changed), with uv when it can be had (an order of magnitude
faster than pip; it is itself installed from PyPI into .venv), else with pip. Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Where the evidence package's source lives: this checkout; in a project made by `evidence init`, the checkout
# it was made from (the one line init rewrites).
PACKAGE = ROOT
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".evidence-installed"


def ensure_env() -> None:
    """Create .venv if needed and install the project with its test extras when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"evidence needs Python 3.11 or newer; this is {sys.version.split()[0]}. Run it with python3.11.")
    if not PYTHON.exists():
        print(f"creating the virtual environment {VENV.name}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (PACKAGE / "pyproject.toml").is_file():
        sys.exit(f"the evidence package is not at {PACKAGE} (no pyproject.toml there); set PACKAGE in tasks.py to "
                 "the evidence checkout.")
    wanted = hashlib.sha256((PACKAGE / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("installing evidence and its dependencies into .venv/ ...", flush=True)
    project = f"{PACKAGE}[test]"
    uv = BIN / ("uv.exe" if os.name == "nt" else "uv")
    if uv.exists() or subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "uv"], cwd=ROOT).returncode == 0:
        run([str(uv), "pip", "install", "--quiet", "--python", str(PYTHON), "-e", project])
    else:
        print("uv could not be installed; installing with pip (slower) ...", flush=True)
        run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", project])
    STAMP.write_text(wanted + "\n")


def ensure_browser() -> None:
    """Debian's chromium, for the brief's PDF and the tests that open the book (installed when root with apt)."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium is not installed and cannot be installed here (needs root and apt-get); "
              "the brief's PDF and the site test are skipped outside CI.", flush=True)
        return
    print("installing Debian's chromium (the brief's PDF, the site test) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL)
        if result.returncode != 0:
            sys.exit(f"`{' '.join(command)}` failed ({result.returncode}); the brief's PDF and the site test need "
                     "chromium.")


def offline_env() -> dict[str, str]:
    """The environment for reproducible runs: offline, no secrets."""
    env = {k: v for k, v in os.environ.items() if k not in {"NCBI_API_KEY", "NCBI_EMAIL"}}
    env["EVIDENCE_MODE"] = os.environ.get("EVIDENCE_MODE", "offline")
    env["PYTHONHASHSEED"] = "0"
    return env


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def report(args: list[str]) -> None:
    ensure_env()
    ensure_browser()  # prints the writer's brief to PDF
    env = offline_env()
    if env["EVIDENCE_MODE"] != "offline":
        env.update({k: os.environ[k] for k in ("NCBI_API_KEY", "NCBI_EMAIL") if k in os.environ})
    run([str(BIN / "evidence"), "report", *args], env=env)


def test(args: list[str]) -> None:
    ensure_env()
    ensure_browser()
    env = offline_env()
    env["EVIDENCE_MODE"] = "offline"
    run([str(PYTHON), "-m", "pytest", *args], env=env)


COMMANDS = {"report": report, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
