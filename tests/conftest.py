"""Shared pytest setup: the `--update-golden` option and the `golden` fixture that compares a
text with a file under tests/golden/ (or rewrites the file when the option is given)."""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"


def session_seed() -> int:
    """The seed of this test run's random inputs: PORTABLE_TEST_SEED, else today's date, so
    inputs are fresh every day yet a failure reproduces with PORTABLE_TEST_SEED=<seed>."""
    return int(os.environ.get("PORTABLE_TEST_SEED") or time.strftime("%Y%m%d"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"portable: random inputs from PORTABLE_TEST_SEED={session_seed()}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when pytest runs with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def golden(update_golden: bool) -> Callable[[str, str], None]:
    """`golden(relpath, text)`: assert `text` equals tests/golden/<relpath>, or rewrite it."""

    def compare(relpath: str, text: str) -> None:
        path = GOLDEN_DIR / relpath
        if not text.endswith("\n"):
            text += "\n"
        if update_golden:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run `pytest --update-golden` to create it")
        want = path.read_text()
        if text != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                                f"golden/{relpath}", "current", n=2))
            pytest.fail(f"output differs from golden/{relpath} (if intended, rerun with "
                        f"--update-golden and review the diff):\n{diff[:6000]}")

    return compare
