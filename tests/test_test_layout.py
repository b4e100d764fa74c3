"""The tests' own layout: shared helpers live in helpers modules (`tests/helpers.py`,
`tests/<app>/helpers.py`) and fixtures in conftest.py files, so no test module imports
another test module or a conftest."""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` imports, by dotted name, wherever the import statement is.
    `package` is the dotted name of the package the source is in (for relative imports)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0]
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            # `from tests.assessments import test_something` imports a module too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def is_test_module_or_conftest(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def test_no_test_file_imports_another_test_module_or_a_conftest():
    offences = []
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parent.parts)
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"), package)):
            if is_test_module_or_conftest(name):
                offences.append(f"{path.relative_to(TESTS.parent)} imports {name}")
    assert offences == []


@pytest.mark.parametrize(
    "source",
    [
        "from tests.assessments.test_blindness import helper",
        "from tests.assessments import test_blindness",
        "import tests.browser.conftest",
        "from .test_blindness import helper",
        "from ..conftest import Cast",
        "def f():\n    from tests.conftest import Cast",
    ],
)
def test_the_layout_check_sees_each_way_of_importing_a_test_module(source):
    assert any(map(is_test_module_or_conftest, imported_modules(source, "tests.assessments")))


def test_the_layout_check_lets_helpers_modules_be_imported():
    source = "from tests.assessments.helpers import url\nfrom tests.factories import UserFactory"
    assert not any(map(is_test_module_or_conftest, imported_modules(source, "tests.returns")))
