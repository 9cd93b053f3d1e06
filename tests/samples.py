"""Where the third-party sample files are (``shared/samples`` beside the checkout, or
``BELEG_SAMPLES``); tests that read them are skipped where the folder is not present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def samples_dir() -> Path | None:
    given = os.environ.get("BELEG_SAMPLES")
    if given:
        return Path(given)
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared" / "samples").is_dir():
            return parent / "shared" / "samples"
    return None


def sample(folder: str, name: str) -> bytes:
    """The bytes of one sample file, unchanged."""
    root = samples_dir()
    if root is None:
        pytest.skip("shared/samples is not present")
    return (root / folder / name).read_bytes()
