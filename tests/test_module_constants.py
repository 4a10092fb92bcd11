"""Module-level constants of the extraction rules are defined once: a second assignment of the same name
silently replaces the first at import (assemble.py had two `_HABITUAL` patterns; only the second was in force)."""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

EXTRACT = Path(__file__).resolve().parent.parent / "src" / "harmwatch" / "extract"


def _assigned_twice(source: str) -> list[str]:
    """Upper-case module-level names assigned more than once in ``source``."""
    tree = ast.parse(source)
    names = Counter(t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    if isinstance(t, ast.Name) and t.id.lstrip("_").isupper())
    return sorted(n for n, k in names.items() if k > 1)


@pytest.mark.parametrize("path", sorted(EXTRACT.rglob("*.py")), ids=lambda p: str(p.relative_to(EXTRACT)))
def test_no_module_constant_is_assigned_twice(path):
    assert _assigned_twice(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_twice_assigned_constant():
    src = "import re\n_X = re.compile('a')\n_Y: int = 1\n\ndef f():\n    _Z = 1\n    _Z = 2\n\n_X = re.compile('b')\n"
    assert _assigned_twice(src) == ["_X"]
