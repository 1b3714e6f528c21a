"""The README's pictures: the script still makes them, they match today's dashboard, and the README shows them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_script_remakes_the_committed_pictures_exactly(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_pictures.py"), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    made = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert made, "no picture made"
    for name in made:
        committed = ROOT / "assets" / name
        assert committed.exists(), "assets/%s is missing: run scripts/make_pictures.py" % name
        assert committed.read_text() == (tmp_path / name).read_text(), (
            "assets/%s no longer matches the dashboard: run scripts/make_pictures.py and look at it" % name
        )


def test_the_readme_shows_every_picture_and_each_exists():
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"\]\((assets/[^)]+\.svg)\)", readme)
    assert len(shown) >= 6
    for path in shown:
        assert (ROOT / path).exists(), path
    assert {Path(p).name for p in shown} == {p.name for p in (ROOT / "assets").glob("*.svg")}
