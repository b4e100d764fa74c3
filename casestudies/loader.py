"""Load case studies from YAML files (`fixtures/casestudies/*.yaml`) into the practice library.

Rules:
- A case study is identified by its `slug`. Loading again creates only the case studies that
  are missing, so running it on every start is safe and never undoes an administrator's edits;
  `update=True` replaces existing ones with the file's content.
- Changes are named by framework key and change code, the level by framework key and number,
  so a file means the same in every database. The frameworks must be loaded first.
- Every entry of every file is checked, against the database too, before anything is written.
  One bad entry refuses the whole load with a message naming the file and the key at fault.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Change, Level
from casestudies.models import CaseStudy
from hicm_portal.yaml_files import read_yaml

REQUIRED_TEXT = ("slug", "title", "place", "summary", "what_they_did", "outcomes")
OPTIONAL_TEXT = ("organisations", "source_url")
KNOWN_KEYS = {*REQUIRED_TEXT, *OPTIONAL_TEXT, "changes", "level", "figures", "status"}
STATUSES = {choice.value for choice in CaseStudy.Status}


class CaseStudyFileError(Exception):
    """A case study file that cannot be loaded; the message names the file and the key."""


@dataclass
class LoadResult:
    slug: str
    outcome: str  # "created", "updated", "unchanged"
    message: str


@dataclass
class _Entry:
    path: Path
    where: str  # "case_studies[2] (red-bag-scheme)"
    data: dict


def _fail(path: Path, where: str, problem: str) -> None:
    raise CaseStudyFileError(f"{path.name}: {where}: {problem}")


def _check_entry(path: Path, index: int, data: Any) -> _Entry:
    where = f"case_studies[{index}]"
    if not isinstance(data, dict):
        _fail(path, where, "must be a mapping of keys to values")
    slug = data.get("slug")
    if isinstance(slug, str) and slug.strip():
        where = f"{where} ({slug.strip()})"
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        _fail(
            path, f"{where}.{unknown[0]}", f"is not a known key ({', '.join(sorted(KNOWN_KEYS))})"
        )
    for key in REQUIRED_TEXT:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            _fail(path, f"{where}.{key}", "is required and must be text")
    for key in OPTIONAL_TEXT:
        if data.get(key) is not None and not isinstance(data[key], str):
            _fail(path, f"{where}.{key}", "must be text")
    figures = data.get("figures")
    if figures is not None and (
        not isinstance(figures, list) or not all(isinstance(f, str) for f in figures)
    ):
        _fail(path, f"{where}.figures", "must be a list of text")
    if data.get("status", "draft") not in STATUSES:
        _fail(path, f"{where}.status", f"must be one of {', '.join(sorted(STATUSES))}")
    changes = data.get("changes")
    if not isinstance(changes, dict) or not changes:
        _fail(path, f"{where}.changes", "must map framework keys to lists of change codes")
    for key, codes in changes.items():
        if not isinstance(codes, list) or not codes:
            _fail(path, f"{where}.changes.{key}", "must be a non-empty list of change codes")
        if not all(isinstance(c, str | int) and not isinstance(c, bool) for c in codes):
            _fail(path, f"{where}.changes.{key}", 'must list change codes, like "6" or "F"')
    level = data.get("level")
    if level is not None and (
        not isinstance(level, dict)
        or set(level) != {"framework", "number"}
        or not isinstance(level["number"], int)
        or isinstance(level["number"], bool)
    ):
        _fail(
            path,
            f"{where}.level",
            "must be a framework key and a number, like {framework: mtoc-2020, number: 3}",
        )
    return _Entry(path, where, data)


def read_case_study_file(path: Path) -> list[_Entry]:
    data = read_yaml(path, CaseStudyFileError)
    if not isinstance(data, dict) or not isinstance(data.get("case_studies"), list):
        _fail(path, "case_studies", "must be a list of case studies")
    return [_check_entry(path, index, item) for index, item in enumerate(data["case_studies"])]


def _resolve(entries: list[_Entry]) -> list[tuple[_Entry, CaseStudy, list[Change]]]:
    """Look every change and level up (two queries), and check each case study in full."""
    keys = {key for entry in entries for key in entry.data["changes"]}
    keys |= {entry.data["level"]["framework"] for entry in entries if entry.data.get("level")}
    changes = {
        (change.framework.key, change.code): change
        for change in Change.objects.filter(framework__key__in=keys).select_related("framework")
    }
    levels = {
        (level.framework.key, level.number): level
        for level in Level.objects.filter(framework__key__in=keys).select_related("framework")
    }
    loaded_keys = {key for key, _ in changes} | {key for key, _ in levels}
    existing = {
        study.slug: study
        for study in CaseStudy.objects.filter(slug__in=[e.data["slug"].strip() for e in entries])
    }
    resolved = []
    for entry in entries:
        path, where, data = entry.path, entry.where, entry.data
        chosen = []
        for key, codes in data["changes"].items():
            if key not in loaded_keys:
                _fail(
                    path,
                    f"{where}.changes.{key}",
                    f"framework {key!r} is not loaded: run load_frameworks first",
                )
            for code in codes:
                change = changes.get((key, str(code)))
                if change is None:
                    _fail(path, f"{where}.changes.{key}", f"{key} has no change {str(code)!r}")
                chosen.append(change)
        level = None
        if data.get("level"):
            reference = (data["level"]["framework"], data["level"]["number"])
            level = levels.get(reference)
            if level is None:
                _fail(path, f"{where}.level", f"{reference[0]} has no level {reference[1]}")
        slug = data["slug"].strip()
        case_study = existing.get(slug) or CaseStudy(slug=slug)
        for key in (*REQUIRED_TEXT[1:], *OPTIONAL_TEXT):
            setattr(case_study, key, (data.get(key) or "").strip())
        case_study.figures = [figure.strip() for figure in data.get("figures") or []]
        case_study.status = data.get("status", CaseStudy.Status.DRAFT)
        case_study.level = level
        try:
            CaseStudy.check_links(chosen, level)
            case_study.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                _fail(path, f"{where}.{name}", " ".join(messages))
        resolved.append((entry, case_study, chosen))
    return resolved


def load_case_study_files(
    paths: list[Path], *, dry_run: bool = False, update: bool = False
) -> list[LoadResult]:
    """Check every file, then load them in one transaction. Raises CaseStudyFileError."""
    entries = [entry for path in sorted(paths) for entry in read_case_study_file(path)]
    seen: dict[str, _Entry] = {}
    for entry in entries:
        slug = entry.data["slug"].strip()
        if slug in seen:
            _fail(
                entry.path,
                f"{entry.where}.slug",
                f"{slug!r} is also the slug of {seen[slug].where} in {seen[slug].path.name}",
            )
        seen[slug] = entry

    results = []
    with transaction.atomic():
        for _entry, case_study, changes in _resolve(entries):
            slug = case_study.slug
            if case_study.pk and not update:
                results.append(
                    LoadResult(slug, "unchanged", f"{slug}: already loaded; left as it is")
                )
                continue
            outcome = "updated" if case_study.pk else "created"
            if not dry_run:
                case_study.save()
                case_study.changes.set(changes)
            results.append(LoadResult(slug, outcome, f"{slug}: {outcome}"))
    return results
