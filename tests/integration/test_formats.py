"""The export and screenshot formats are a table each (``gilviz.formats``): the CLI's choices and help read them."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from gilviz import formats
from gilviz.cli import build_parser
from gilviz.cli.errors import UsageError
from gilviz.cli.screenshot import screenshot_format
from gilviz.trace import read_trace

from conftest import ROOT, gilviz

TRACE = ROOT / "assets" / "traces" / "race-lock-off.jsonl.gz"


def help_of(*argv: str) -> str:
    parser = build_parser()
    with mock.patch("sys.stdout") as out, pytest.raises(SystemExit):
        parser.parse_args([*argv, "--help"])
    return "".join(call.args[0] for call in out.write.call_args_list)


def test_every_screenshot_format_has_a_renderer_and_a_suffix_the_cli_knows():
    from gilviz.ui.screenshot import FORMATS, RENDERERS

    assert set(RENDERERS) == set(FORMATS) == set(formats.SCREENSHOTS)
    for picture in formats.SCREENSHOTS.values():
        assert screenshot_format("shot" + picture.suffix.upper()) == picture.name
    with pytest.raises(UsageError, match="|".join(p.suffix for p in formats.SCREENSHOTS.values())):
        screenshot_format("shot.gif")


def test_a_new_row_is_a_choice_and_a_line_of_help():
    row = formats.ExportFormat("lines", ".txt", "one line per frame, for grep", lambda trace: ("x", "(1 line)"))
    with mock.patch.dict(formats.EXPORTS, {"lines": row}):
        text = help_of("export")
        assert "lines: one line per frame, for grep" in text and "chrome:" in text
        assert build_parser().parse_args(["export", str(TRACE), "-o", "x.txt", "--format", "lines"]).export_format == "lines"
    with mock.patch.dict(formats.SCREENSHOTS, {"gif": formats.PictureFormat("gif", ".gif", "GIF")}):
        assert screenshot_format("shot.gif") == "gif"  # the suffix is the table's


def test_names_for_the_help():
    assert formats.names({"svg": 1, "png": 2}, "svg") == "svg (default) or png"
    assert formats.names({"a": 1, "b": 2, "c": 3}, "b") == "a, b (default) or c"
    assert formats.names({"chrome": 1}, "chrome") == "chrome (default)"


def test_each_export_format_converts_a_recorded_trace():
    trace = read_trace(str(TRACE))
    for name, row in formats.EXPORTS.items():
        text, said = row.convert(trace)
        assert text and said, name
    doc = json.loads(formats.EXPORTS["chrome"].convert(trace)[0])
    assert doc["traceEvents"]


def test_export_format_from_the_command_line(tmp_path):
    out = gilviz("export", str(TRACE), "-o", str(tmp_path / "a.json"), "--format", "chrome")
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "a.json").read_text())["traceEvents"]
    bad = gilviz("export", str(TRACE), "-o", str(tmp_path / "b.json"), "--format", "nosuch")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "chrome" in bad.stderr and not (tmp_path / "b.json").exists()
