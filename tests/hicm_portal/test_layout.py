"""The layout shows the architecture (DESIGN §5): `hicm_portal` is the ground floor and imports
no app; dependencies between the apps run one way, so `assessments` imports none of the apps
built on it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def project_apps() -> set[str]:
    """The top-level folders that hold an `apps.py`: the project's own Django apps."""
    return {path.parent.name for path in ROOT.glob("*/apps.py")}


def imported_packages(package: str) -> dict[str, set[str]]:
    """For each module under `package`, the top-level packages it imports (at any depth)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def imports_of(package: str, forbidden: set[str]) -> dict[str, set[str]]:
    return {
        module: names & forbidden
        for module, names in imported_packages(package).items()
        if names & forbidden
    }


def test_the_apps_are_found():
    assert {"assessments", "improvement_plans", "casestudies", "home"} <= project_apps()


def test_hicm_portal_imports_no_app():
    apps = project_apps() - {"hicm_portal"}
    assert imports_of("hicm_portal", apps) == {}


def test_assessments_imports_none_of_the_apps_built_on_it():
    assert imports_of("assessments", {"improvement_plans", "casestudies", "home"}) == {}
