"""The lab and its helpers start isolated, in an empty folder: nothing in the user's folder shadows the standard library."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import pyenv_python

SHADOWS = ("queue", "threading", "json")


def shadowing_folder(tmp_path):
    for name in SHADOWS:
        (tmp_path / (name + ".py")).write_text("raise SystemExit('shadowed by %s.py')\n" % name)
    return tmp_path


def gilviz_script() -> str:
    """The installed ``gilviz`` command: as a user runs it (``python -m gilviz`` would itself import the folder's json.py)."""
    script = Path(sys.executable).parent / "gilviz"
    if not script.exists():
        pytest.skip("no gilviz command beside %s" % sys.executable)
    return str(script)


def run_gilviz(cwd, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([gilviz_script(), *args], capture_output=True, text=True, timeout=120, cwd=cwd, **kwargs)


def test_a_scenario_runs_from_a_folder_that_shadows_the_standard_library(tmp_path):
    folder = shadowing_folder(tmp_path)
    out = run_gilviz(folder, "run", "seq-cpu", "--json", "--size", "tiny")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["scenario"] == "seq-cpu" and doc["python"]["version"].startswith("%d.%d." % sys.version_info[:2])


def test_python_is_checked_from_a_folder_of_its_own(tmp_path):
    folder = shadowing_folder(tmp_path)
    out = run_gilviz(folder, "run", "threads-cpu", "--json", "--size", "tiny", "--python", sys.executable, "--workers", "2")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["scenario"] == "threads-cpu"


def test_a_watched_program_still_runs_in_the_users_folder_with_the_users_environment(tmp_path):
    (tmp_path / "here.txt").write_text("found")
    program = "import os; print(open('here.txt').read(), os.getcwd(), repr(os.environ.get('PYTHONPATH')))"
    folder = shadowing_folder(tmp_path)
    out = run_gilviz(
        folder,
        "watch",
        "--json",
        "--",
        sys.executable,
        "-I",
        "-c",
        program,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "/nowhere-17b"},
    )
    assert out.returncode == 0, out.stderr
    assert "found %s '/nowhere-17b'" % tmp_path in out.stderr


PTH = "import os; open(os.path.join(%r, str(os.getpid())), 'w').close()\n"


def test_watching_a_pid_runs_nothing_of_its_interpreter(tmp_path):
    """A .pth file in the target's environment marks every start of its interpreter: only the target's own may be there."""
    base = pyenv_python("3.12") or sys.executable
    env_dir, marks = tmp_path / "venv", tmp_path / "marks"
    marks.mkdir()
    subprocess.run([base, "-m", "venv", "--copies", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True, text=True)
    (Path(site.stdout.strip()) / "zz_marker.pth").write_text(PTH % str(marks))
    for mark in marks.iterdir():
        mark.unlink()  # the look-up above
    target = subprocess.Popen([str(python), "-c", "import time; time.sleep(2.5)"])
    try:
        deadline = time.monotonic() + 10
        while not (marks / str(target.pid)).exists():
            assert time.monotonic() < deadline, "the target never started"
            time.sleep(0.02)
        out = subprocess.run(
            [sys.executable, "-m", "gilviz", "watch", "--json", "--pid", str(target.pid)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        target.kill()
        target.wait()
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    version = subprocess.run(
        [str(python), "-I", "-S", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], capture_output=True, text=True
    )
    assert doc["python"]["version"] == version.stdout.strip()
    assert sorted(m.name for m in marks.iterdir()) == [str(target.pid)]  # its own start, and nothing else


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: reading another user's process as root")
def test_root_reading_another_users_process_says_so_in_one_line():
    from gilviz.watch import owner_note

    nobody = pwd.getpwnam("nobody")
    target = subprocess.Popen(["sleep", "30"], user=nobody.pw_uid)
    try:
        note = owner_note(target.pid)
        assert note is not None and "nobody" in note and str(target.pid) in note and "\n" not in note
        assert owner_note(os.getpid()) is None  # root's own
    finally:
        target.kill()
        target.wait()
