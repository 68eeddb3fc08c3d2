"""The test tree's own rules: every folder is a package, and helpers are imported through it.

Without an ``__init__.py`` pytest imports a test file under its bare file name, so two folders with a
``test_bad_input.py`` clash, and a helper beside the tests can only be imported by bare name (it works
only because pytest put that one folder on ``sys.path``).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _python_folders() -> list[Path]:
    return sorted({path.parent for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts})


def test_every_test_folder_is_a_package() -> None:
    missing = [
        str(folder.relative_to(TESTS.parent))
        for folder in _python_folders()
        if not (folder / "__init__.py").exists()
    ]
    assert missing == []


def test_helpers_beside_the_tests_are_imported_relatively() -> None:
    helper_names = {path.stem for path in TESTS.rglob("*.py") if not path.stem.startswith("test_")}
    helper_names -= {"__init__", "__main__"}
    bare = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            bare += [f"{path.relative_to(TESTS)}: {n}" for n in names if n.split(".")[0] in helper_names]
    assert bare == []
