"""A source says what it can do (``gilviz.sources.base.Source``); the UI asks it and never checks its type."""

from __future__ import annotations

import ast
import inspect

import pytest
from gilviz.model import RunConfig, RunReport, WatchConfig
from gilviz.sources.base import Source
from gilviz.sources.lab import LabSource
from gilviz.sources.replay import ReplaySource
from gilviz.sources.watch import WatchSource
from gilviz.trace import read_trace

from conftest import ROOT

UI = ROOT / "gilviz" / "ui"
SOURCE_CLASSES = {"LabSource", "WatchSource", "ReplaySource"}


def protocol_members() -> set[str]:
    own = set(vars(Source)) | set(getattr(Source, "__annotations__", {}))
    return {name for name in own if not name.startswith("_")}


def type_checks_on_sources(tree: ast.AST) -> list[str]:
    """``isinstance``/``issubclass``/``type(...) is``: any that names a source class, or asks about ``….source``."""
    found = []
    for node in ast.walk(tree):
        checks = ("isinstance", "issubclass", "type")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in checks:
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if names & SOURCE_CLASSES or "source" in names:
                found.append("line %d: %s" % (node.lineno, ast.unparse(node)))
    return found


def test_the_finder_finds_a_type_check_on_a_source():
    code = "if isinstance(self.source, LabSource): pass\nok = isinstance(event, RunStarted)\nt = type(app.source) is X\n"
    assert len(type_checks_on_sources(ast.parse(code))) == 2


def test_the_ui_never_checks_a_sources_type():
    wrong = []
    for path in sorted(UI.glob("*.py")):
        wrong += ["%s %s" % (path.name, found) for found in type_checks_on_sources(ast.parse(path.read_text()))]
    assert wrong == []


def sources():
    trace = read_trace(str(ROOT / "assets" / "traces" / "threads-cpu.jsonl.gz"))
    return [
        LabSource(RunConfig("threads-cpu", size="tiny")),
        WatchSource(WatchConfig(("true",))),
        ReplaySource(trace),
    ]


@pytest.mark.parametrize("source", sources(), ids=lambda s: type(s).__name__)
def test_every_source_has_every_member_of_the_protocol(source):
    members = protocol_members()
    assert {"can_switch", "can_rerun", "replays", "exit_status", "run", "switch", "until"} <= members
    assert [name for name in sorted(members) if not hasattr(source, name)] == []
    for name in ("run", "switch", "until", "exit_status"):
        assert (
            list(inspect.signature(getattr(source, name)).parameters)[:1]
            == list(inspect.signature(getattr(Source, name)).parameters)[1:2]
        )


def test_what_each_source_can_do():
    lab, watch, replay = sources()
    assert (lab.can_switch, lab.can_rerun, lab.replays) == (True, True, False)
    assert (watch.can_switch, watch.can_rerun, watch.replays) == (False, False, False)
    assert (replay.can_switch, replay.can_rerun, replay.replays) == (False, True, True)
    assert lab.switch(workers=3).workers == 3 and lab.config.workers == 3
    with pytest.raises(TypeError):
        watch.switch(workers=3)
    with pytest.raises(TypeError):
        lab.until(1.0)
    assert replay.until(99) and "recorded" in replay.caption
    assert watch.quit_wait_s > lab.quit_wait_s  # a program gets SIGINT, SIGTERM, SIGKILL before it is killed


def test_a_watched_programs_exit_status_is_its_own_once_it_has_ended():
    watch = WatchSource(WatchConfig(("true",)))
    assert watch.exit_status() == 0  # not ended yet
    for code, status in ((3, 3), (None, 0), (0, 0)):
        watch.report = RunReport(WatchConfig(("true",)), {}, 2, {"exit_code": code}, None, True)  # type: ignore[arg-type]
        assert watch.exit_status() == status
