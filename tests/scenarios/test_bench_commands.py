"""The benchmark the README names for webhook delivery runs as a user runs it, as a
subprocess, and prints its table against the baseline measured in the same run (small size:
this checks the command, not the figures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_delivery_benchmark_runs_and_prints_its_table() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("BELEG_DATABASE_URL", None)  # its own embedded database
    done = subprocess.run(
        [sys.executable, "bench/delivery.py", "--events", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].split(":")[0].strip() for row in rows[2:]] == [
        "fan-out",
        "delivery",
        "baseline",
    ]
