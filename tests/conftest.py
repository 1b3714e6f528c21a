"""Shared helpers for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def gilviz(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run the gilviz command line in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "gilviz", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, **kwargs
    )


@pytest.fixture
def board():
    from gilviz.lab.board import Board

    b = Board.create()
    yield b
    b.close()


def pyenv_python(version_prefix: str) -> str | None:
    """A pyenv-installed interpreter of that version, if this machine has one."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return None
    for candidate in sorted(root.glob(version_prefix + "*"), reverse=True):
        exe = candidate / "bin" / "python"
        if exe.exists():
            return str(exe)
    return None
