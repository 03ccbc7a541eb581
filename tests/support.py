"""Constants shared by the tests (imported by name; conftest.py holds the fixtures)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTINEL_KEY = "SENTINEL0api0key0do0not0leak"
