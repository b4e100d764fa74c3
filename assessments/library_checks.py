"""The rules of a framework document, written once for every way one arrives: a YAML file
(`load_frameworks`), an uploaded YAML file or an uploaded spreadsheet (the framework library's
upload pages).

A document is the mapping a framework's YAML file gives. `document_problems` checks all of it
and names every problem, not just the first, each with where it is: by default the document's
source and the key at fault ("mtoc-2020.yaml: changes[3].title"); a spreadsheet passes a
`locate` that turns the same key into a sheet, a row and a column.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assessments.models import Change, Group

# The five HICM levels and their generic definitions (seeds 002 and 004).
STANDARD_LEVELS: list[dict[str, Any]] = [
    {
        "number": 1,
        "name": "Not yet established",
        "definition": (
            "Processes are typically undocumented and driven in an ad hoc reactive manner"
        ),
    },
    {
        "number": 2,
        "name": "Plans in place",
        "definition": (
            "Developed a strategy and starting to implement, however processes are inconsistent"
        ),
    },
    {
        "number": 3,
        "name": "Established",
        "definition": (
            "Defined and standard processes in place, repeatedly used, "
            "subject to improvement over time"
        ),
    },
    {
        "number": 4,
        "name": "Mature",
        "definition": (
            "Processes have been tested across variable conditions over a period of time, "
            "evidence of impact beginning to show"
        ),
    },
    {
        "number": 5,
        "name": "Exemplary",
        "definition": (
            "Fully embedded within the system and outcomes for people reflect this, continual "
            "improvement driven by incremental and innovative changes"
        ),
    },
]

GROUP_KINDS = {choice.value for choice in Group.Kind}
CHANGE_KINDS = {choice.value for choice in Change.Kind}
# The largest number the database holds in a framework's version or year.
MAX_NUMBER = 2**31 - 1
# A code goes into the addresses of pages (`hicm_portal.converters.CodeConverter`).
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
CODE_RULE = (
    "must be a code of at most 20 characters: letters, digits, '.', '_' or '-', "
    "starting with a letter or digit"
)

FRAMEWORK_KEYS = {
    "key",
    "version",
    "title",
    "short_title",
    "publisher",
    "year",
    "complete",
    "rate_enablers",
    "source_note",
    "introduction",
    "principles",
    "measuring_success",
    "levels",
    "groups",
    "changes",
    "crosswalk",
}
CHANGE_KEYS = {
    "code",
    "kind",
    "title",
    "groups",
    "summary",
    "i_statement",
    "we_statement",
    "tips",
    "measures",
    "actions",
    "descriptors",
}

# Where a key of a document is, for a person: (path, the spreadsheet column at fault if the
# path alone does not say) -> "Changes sheet, row 7, column 'code'", or None if unknown.
Locate = Callable[[tuple, str | None], str | None]


def path_text(path: tuple) -> str:
    """A key of a document as its YAML file reads: `changes[2].actions[0].title`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where it is, as a person finds it, and what is wrong."""

    where: str
    message: str
    path: tuple = ()

    @classmethod
    def at(
        cls,
        path: tuple,
        message: str,
        *,
        source: str,
        locate: Locate | None = None,
        column: str | None = None,
    ):
        where = locate(path, column) if locate else None
        return cls(where or f"{source}: {path_text(path)}", message, tuple(path))

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def problems_text(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


def normalised_code(value: Any) -> str:
    """A code as text: YAML and spreadsheets give `1` as a number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Checker:
    def __init__(self, source: str, locate: Locate | None):
        self.source, self.locate = source, locate
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, column: str | None = None) -> None:
        self.problems.append(
            Problem.at(path, message, source=self.source, locate=self.locate, column=column)
        )

    def mapping(self, value: Any, path: tuple, allowed: set[str] | None = None) -> bool:
        if not isinstance(value, dict):
            self.add(path, "must be a mapping of keys to values")
            return False
        unknown = sorted(str(key) for key in value if allowed is not None and key not in allowed)
        if unknown:
            self.add(path, f"has unknown keys: {', '.join(unknown)}")
        return True

    def text(self, data: dict, key: str, path: tuple, *, required: bool, limit: int = 0) -> bool:
        if data.get(key) is None:
            if required:
                self.add((*path, key), "is required")
            return not required
        value = data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            self.add((*path, key), "must be non-empty text")
            return False
        if limit and len(value) > limit:
            self.add((*path, key), f"must be at most {limit} characters")
            return False
        return True

    def text_list(self, data: dict, key: str, path: tuple) -> None:
        """A list of one-line texts (tips, points), which a spreadsheet writes a line each."""
        value = data.get(key)
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add((*path, key), "must be a list of text")
        elif any("\n" in item.strip() for item in value):
            self.add((*path, key), "must be a list of text, each item on one line")

    def whole_number(self, data: dict, key: str) -> None:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_NUMBER:
            self.add((key,), "must be a whole number of 1 or more")

    def code(self, data: dict, path: tuple, taken: set[str]) -> str | None:
        value = data.get("code")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not CODE.fullmatch(value.strip()):
            self.add((*path, "code"), CODE_RULE)
            return None
        code = value.strip()
        if code in taken:
            self.add((*path, "code"), f"{code!r} is used twice")
        taken.add(code)
        return code


def document_problems(data: Any, *, source: str, locate: Locate | None = None) -> list[Problem]:
    """Every problem of one framework document, on its own (what it refers to in the library is
    `framework_loader.library_problems`). An empty list means it can be loaded."""
    check = _Checker(source, locate)
    if not check.mapping(data, (), FRAMEWORK_KEYS):
        return check.problems
    # As long as the framework's fields may be.
    for key, limit in (("key", 200), ("title", 200), ("short_title", 100), ("publisher", 200)):
        check.text(data, key, (), required=True, limit=limit)
    key = data.get("key")
    if isinstance(key, str) and key.strip():
        if not key.replace("-", "").isalnum() or not key.isascii() or key.lower() != key:
            check.add(("key",), "must be lowercase letters, digits and hyphens")
        elif len(key) > 60:
            check.add(("key",), "must be at most 60 characters")
    check.whole_number(data, "version")
    check.whole_number(data, "year")
    for flag in ("complete", "rate_enablers"):
        if not isinstance(data.get(flag, False), bool):
            check.add((flag,), "must be true or false")
    for optional in ("source_note", "introduction", "measuring_success"):
        check.text(data, optional, (), required=False)
    _check_principles(check, data.get("principles"))
    level_count = _check_levels(check, data.get("levels"))
    group_kinds = _check_groups(check, data.get("groups"))
    change_codes = _check_changes(check, data.get("changes"), level_count, group_kinds)
    _check_crosswalk(check, data.get("crosswalk"), data.get("key"), change_codes)
    return check.problems


def _check_principles(check: _Checker, principles: Any) -> None:
    if principles is None:
        return
    if not isinstance(principles, list):
        check.add(("principles",), "must be a list of principles, each with a title and a text")
        return
    for index, principle in enumerate(principles):
        path = ("principles", index)
        if check.mapping(principle, path, {"title", "text"}):
            check.text(principle, "title", path, required=True, limit=200)
            check.text(principle, "text", path, required=True)


def _check_levels(check: _Checker, levels: Any) -> int:
    """Check the scale; return its number of levels."""
    if levels is None:
        return len(STANDARD_LEVELS)
    if not isinstance(levels, list) or not levels:
        check.add(("levels",), "must be a non-empty list")
        return len(STANDARD_LEVELS)
    for index, level in enumerate(levels):
        path = ("levels", index)
        if not check.mapping(level, path, {"number", "name", "definition"}):
            continue
        if level.get("number") != index + 1:
            check.add((*path, "number"), f"must be {index + 1}: levels count up from 1")
        check.text(level, "name", path, required=True, limit=60)
        check.text(level, "definition", path, required=True)
    return len(levels)


def _check_groups(check: _Checker, groups: Any) -> dict[str, Any]:
    """Check the groups; return each one's kind by its code (a group of an unknown kind is
    still defined, so that only its kind is reported)."""
    kinds: dict[str, str] = {}
    if groups is None:
        return kinds
    if not isinstance(groups, list):
        check.add(("groups",), "must be a list")
        return kinds
    codes: set[str] = set()
    for index, group in enumerate(groups):
        path = ("groups", index)
        if not check.mapping(group, path, {"code", "kind", "title", "description"}):
            continue
        code = check.code(group, path, codes)
        if group.get("kind") not in GROUP_KINDS:
            check.add((*path, "kind"), f"must be one of {', '.join(sorted(GROUP_KINDS))}")
        if code:
            kinds[code] = group.get("kind")
        check.text(group, "title", path, required=True, limit=200)
        check.text(group, "description", path, required=False)
    return kinds


def _check_changes(
    check: _Checker, changes: Any, level_count: int, group_kinds: dict[str, str]
) -> set[str]:
    """Check the changes; return their codes."""
    codes: set[str] = set()
    if not isinstance(changes, list) or not changes:
        check.add(("changes",), "must list at least one change")
        return codes
    for index, change in enumerate(changes):
        path = ("changes", index)
        if not check.mapping(change, path, CHANGE_KEYS):
            continue
        check.code(change, path, codes)
        check.text(change, "title", path, required=True, limit=200)
        for key_name in ("summary", "i_statement", "we_statement"):
            check.text(change, key_name, path, required=False)
        check.text_list(change, "tips", path)
        _check_measures(check, change.get("measures"), path)
        kind = change.get("kind", Change.Kind.CHANGE)
        if kind not in CHANGE_KINDS:
            check.add((*path, "kind"), f"must be one of {', '.join(sorted(CHANGE_KINDS))}")
        change_groups = change.get("groups") or []
        if not isinstance(change_groups, list):
            check.add((*path, "groups"), "must be a list of group codes")
            change_groups = []
        for group_code in change_groups:
            if normalised_code(group_code) not in group_kinds:
                check.add((*path, "groups"), f"names group {group_code!r}, which is not defined")
        named_kinds = {group_kinds.get(normalised_code(code)) for code in change_groups}
        if kind == Change.Kind.ENABLER and Group.Kind.ENABLER not in named_kinds:
            check.add(
                (*path, "groups"),
                "an enabler must belong to a group of kind enabler: name that group here",
            )
        _check_actions(check, change.get("actions"), path, group_kinds)
        _check_descriptors(check, change.get("descriptors"), path, level_count)
    return codes


def _check_measures(check: _Checker, measures: Any, path: tuple) -> None:
    """A change's suggested measures: a list of {name, unit}, names as long as a system's
    measure may be named (200 characters), units 50, no name twice."""
    if measures is None:
        return
    if not isinstance(measures, list):
        check.add((*path, "measures"), "must be a list of measures, each with a name and a unit")
        return
    names: set[str] = set()
    for index, measure in enumerate(measures):
        measure_path = (*path, "measures", index)
        if not isinstance(measure, dict):
            check.add(measure_path, "must be a mapping with a name and a unit")
            continue
        check.mapping(measure, measure_path, {"name", "unit"})
        if not check.text(measure, "name", measure_path, required=True, limit=200):
            continue
        check.text(measure, "unit", measure_path, required=False, limit=50)
        name = measure["name"].strip()
        if name.casefold() in names:
            check.add((*measure_path, "name"), f"{name!r} is used twice")
        names.add(name.casefold())


def _check_actions(check: _Checker, actions: Any, path: tuple, group_kinds: dict) -> None:
    if actions is None:
        return
    if not isinstance(actions, list):
        check.add((*path, "actions"), "must be a list")
        return
    codes: set[str] = set()
    for index, action in enumerate(actions):
        action_path = (*path, "actions", index)
        if not check.mapping(action, action_path, {"code", "title", "points", "group"}):
            continue
        check.code(action, action_path, codes)
        check.text(action, "title", action_path, required=True)
        check.text_list(action, "points", action_path)
        group = action.get("group")
        if group is not None and normalised_code(group) not in group_kinds:
            check.add((*action_path, "group"), f"group {group!r} is not defined")


def _check_descriptors(check: _Checker, descriptors: Any, path: tuple, level_count: int) -> None:
    if descriptors is None:
        return
    if not isinstance(descriptors, dict):
        check.add((*path, "descriptors"), "must map level numbers to text")
        return
    for number, text in descriptors.items():
        descriptor_path = (*path, "descriptors", str(number))
        if not isinstance(number, int) or isinstance(number, bool):
            check.add(descriptor_path, f"level {number!r} is not a level number", "level")
        elif not 1 <= number <= level_count:
            check.add(
                descriptor_path,
                f"level {number} is not on the scale, which runs from 1 to {level_count}",
                "level",
            )
        if not isinstance(text, str) or not text.strip():
            check.add(descriptor_path, "must be non-empty text")


def _check_crosswalk(check: _Checker, crosswalk: Any, key: Any, change_codes: set[str]) -> None:
    if crosswalk is None:
        return
    if not check.mapping(crosswalk, ("crosswalk",), {"from", "changes"}):
        return
    named = check.text(crosswalk, "from", ("crosswalk",), required=True, limit=60)
    if named and crosswalk["from"] == key:
        check.add(("crosswalk", "from"), "must name an earlier framework, not this one")
    mapping = crosswalk.get("changes")
    if not isinstance(mapping, dict) or not mapping:
        check.add(
            ("crosswalk", "changes"), "must map earlier change codes to this framework's codes"
        )
        return
    for old, new in mapping.items():
        if normalised_code(new) not in change_codes:
            check.add(
                ("crosswalk", "changes", str(old)),
                f"names change {new!r}, which this framework does not have",
                "change",
            )
