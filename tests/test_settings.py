from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, SENTINEL_KEY

from evidence.errors import ConfigurationError
from evidence.settings import NCBI_EUTILS_BASE, Settings


def test_from_env_reads_each_variable_once():
    settings = Settings.from_env(
        {
            "NCBI_EMAIL": " me@example.org ",
            "NCBI_API_KEY": SENTINEL_KEY,
            "EVIDENCE_MODE": "Offline",
            "EVIDENCE_CACHE_DIR": "elsewhere/cache",
            "EVIDENCE_EUTILS_BASE": "http://127.0.0.1:9/entrez/eutils",
        }
    )
    assert settings.email == "me@example.org"
    assert settings.api_key == SENTINEL_KEY
    assert settings.mode == "offline"
    assert settings.cache_dir == ROOT / "elsewhere" / "cache"
    assert settings.eutils_base == "http://127.0.0.1:9/entrez/eutils/"


def test_defaults():
    settings = Settings.from_env({})
    # offline by default, for every verb
    assert (settings.mode, settings.email, settings.api_key) == ("offline", None, None)
    assert settings.cache_dir == ROOT / "data" / "cache"
    assert settings.eutils_base == NCBI_EUTILS_BASE


def test_repr_masks_the_key_and_shows_no_machine_path():
    text = repr(Settings.from_env({"NCBI_API_KEY": SENTINEL_KEY}))
    assert SENTINEL_KEY not in text and "api_key='***'" in text
    assert str(ROOT) not in text and "data/cache" in text


def test_bad_mode_names_the_choices():
    with pytest.raises(ConfigurationError, match="offline, cached, live"):
        Settings.from_env({"EVIDENCE_MODE": "online"})


def test_bad_base_url():
    with pytest.raises(ConfigurationError, match="EVIDENCE_EUTILS_BASE"):
        Settings(eutils_base="ftp://example.org/", root=Path("."))


def test_every_readme_verb_runs_on_a_fresh_machine_with_no_ncbi_settings(tmp_path, capsys):
    """The README's commands, with no NCBI_EMAIL and no EVIDENCE_MODE (a fresh machine): each answers offline, from
    the committed snapshot, instead of stopping on a missing e-mail address."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("NCBI_EMAIL", "NCBI_API_KEY", "EVIDENCE_MODE")}
    for argv in (["check"], ["claims", "--group", "efficacy"], ["register", "--summary"], ["search", "C04"],
                 ["screen", "C04"], ["cite", "--claim", "C04"], ["claimreview", "--claim", "C04"],
                 ["brief", "--html-only", "--out", str(tmp_path / "brief.pdf")]):
        done = subprocess.run([sys.executable, "-m", "evidence.cli", *argv], cwd=ROOT, env=env, capture_output=True,
                              text=True)
        assert "NCBI_EMAIL is not set" not in done.stderr, argv  # the network was never asked for
        assert done.returncode in (0, 2), (argv, done.stderr)  # 2: a search the snapshot does not hold, said so
        assert "Traceback" not in done.stderr, argv
