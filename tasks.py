#!/usr/bin/env python3
"""The project's two commands, for a machine with only Python 3.11+ and git.

    python3 tasks.py report   # check the project, regenerate and execute the notebooks offline, build the book
                              # (only the steps whose inputs changed; --force redoes all)
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
APT_LOCK_WAIT_SECONDS = 300
# Exit codes, as the evidence command uses them: 2 a problem the user can fix (said in one line), 130 interrupted.
USER_ERROR, INTERRUPTED = 2, 130


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
    # Another apt-get on the machine (a second first run, an unattended upgrade) holds dpkg's lock for a while: wait
    # for it (up to five minutes) instead of failing before any test has run.
    wait = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_SECONDS}"]
    for command in (["apt-get", *wait, "update", "-qq"],
                    ["apt-get", *wait, "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
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
    try:
        result = subprocess.run(command, cwd=ROOT, env=env)
    except FileNotFoundError:
        sys.exit(f"tasks.py: {command[0]} was not found. Fix: delete .venv/ and run the command again to rebuild it.")
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

def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return USER_ERROR
    try:
        COMMANDS[argv[0]](argv[1:])
    except KeyboardInterrupt:
        # the child (pytest, evidence) got the same signal and says what it kept; here one line, no traceback
        print(f"tasks.py {argv[0]}: interrupted; run it again to resume (installs and the cache are kept).",
              file=sys.stderr)
        return INTERRUPTED
    except OSError as error:  # a read-only checkout, a full disk: one line naming the file and the fix
        where = f" ({error.filename})" if error.filename else ""
        print(f"tasks.py {argv[0]}: {error.strerror or error}{where}. Fix: check that the checkout is writable and "
              "the disk has room, then run it again.", file=sys.stderr)
        return USER_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
