"""The page states name no `Any`: every value a page holds has a type mypy checks. (mypy's
`disallow_any_explicit` cannot say it, as Reflex gives every state an `__init__(**kwargs: Any)`.)"""

import ast
from pathlib import Path

import pytest

STATE = Path(__file__).resolve().parent.parent / "admin_app" / "state"


def uses_of_any(source: str) -> list[int]:
    """Lines where `Any` (from typing) is named."""
    tree = ast.parse(source)
    named = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "Any"]
    dotted = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "Any"]
    imported = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and any(a.name == "Any" for a in n.names)
    ]
    return sorted(named + dotted + imported)


@pytest.mark.parametrize("path", sorted(STATE.glob("*.py")), ids=lambda p: p.name)
def test_a_page_state_names_no_any(path):
    assert uses_of_any(path.read_text()) == []


def test_any_is_found_however_it_is_written():
    assert uses_of_any("from typing import Any\nx: Any = 1\n") == [1, 2]
    assert uses_of_any("import typing\ny: list[typing.Any] = []\n") == [2]
    assert uses_of_any("z: list[int] = []\n") == []
