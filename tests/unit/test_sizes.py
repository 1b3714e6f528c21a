"""Small modules and short functions: no module over 450 lines, no function over 80 (the sampler's hot loop
excepted: one function, so a tick makes no calls it can do without)."""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "gilviz"
MODULE_LINES, FUNCTION_LINES = 450, 80
EXCEPTED = {("probe/sampler.py", "_tick")}


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_over_450_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text().splitlines())) > MODULE_LINES}
    assert long == {}


def test_no_function_is_over_80_lines():
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                where = (str(path.relative_to(PACKAGE)), node.name)
                if lines > FUNCTION_LINES and where not in EXCEPTED:
                    long["%s:%s" % where] = lines
    assert long == {}
