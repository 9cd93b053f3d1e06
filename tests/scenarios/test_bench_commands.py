"""The benchmarks the README names for webhook delivery and reconciliation run as a user runs
them, as subprocesses, and print their tables against the baseline measured in the same run
(small sizes: this checks the commands, not the figures)."""

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


@pytest.mark.slow
def test_the_reconciliation_benchmark_runs_and_prints_its_table() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("BELEG_DATABASE_URL", None)  # its own embedded database
    done = subprocess.run(
        [sys.executable, "bench/receivables.py", "--lines", "20", "--items", "100"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "20 lines against 100 open items" in done.stdout
    measures = [line.split("  ")[0] for line in done.stdout.splitlines()[2:5]]
    assert measures == [
        "bare indexed lookup of the numbers (baseline)",
        "matching only (read items, index, match)",
        "reconcile_statement (match, pay, book, audit)",
    ]
