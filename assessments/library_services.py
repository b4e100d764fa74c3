"""The framework library's upload: a framework file (the spreadsheet template or YAML) read and
checked in full for its preview, then, once a site administrator confirms it, loaded by the
same loader as `load_frameworks` (`framework_loader.document_load`): all of it or nothing, with
a wording version that records who uploaded it.

The file is read twice, at the preview and at the confirmation, so what is written is checked
against the library as it is then.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.core.exceptions import ValidationError

from assessments.framework_loader import (
    FrameworkFileError,
    LoadResult,
    document_load,
    library_problems,
)
from assessments.framework_spreadsheet_read import spreadsheet_read
from assessments.library_checks import Locate, Problem, document_problems
from assessments.models import Framework
from hicm_portal import uploads

XLSX_EXTENSION = ".xlsx"
YAML_EXTENSIONS = (".yaml", ".yml")

WRONG_TYPE = "The selected file must be a framework spreadsheet (.xlsx) or a framework file (.yaml)"
NOT_YAML = "is not YAML that can be read"
NOT_UTF8 = "is not text in UTF-8: save it as UTF-8 and upload it again"
YAML_ALIASES = "uses YAML anchors or aliases (& or *): write each value out in full"
VERSION_NOT_HIGHER = (
    "must be higher than {loaded}, the version of {key} loaded now: an equal or lower "
    "version changes nothing"
)
CHANGED_SINCE = (
    "Nothing was loaded, because the file no longer passes the checks (the library changed "
    "since the preview). Upload it again to see why."
)


@dataclass
class FrameworkUpload:
    """An uploaded framework file, read and checked: nothing is written."""

    filename: str
    document: Any  # what the file holds: a mapping, unless the file is wrong
    problems: list[Problem] = field(default_factory=list)
    existing: Framework | None = None

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    @property
    def source(self) -> str:
        return f"Upload of {self.filename}"[:300]


def _yaml_document(data: bytes, filename: str) -> tuple[Any, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem(f"{filename}: (file)", NOT_UTF8)]
    try:
        # Aliases let a small file stand for a huge one; a framework file needs none.
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text)):
            return None, [Problem(f"{filename}: (file)", YAML_ALIASES)]
        return yaml.safe_load(text), []
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        return None, [Problem(f"{filename}: {where}", NOT_YAML)]


def framework_upload_read(*, data: bytes, filename: str) -> FrameworkUpload:
    """Read and check an uploaded framework file, naming every problem (by sheet, row and
    column in a spreadsheet; by key in YAML). Raises `uploads.UploadRefused` for a file that
    is neither, or that is not a spreadsheet that can be read."""
    name = filename.lower()
    locate: Locate | None = None
    if name.endswith(XLSX_EXTENSION):
        read = spreadsheet_read(data)
        document, problems, locate = read.document, list(read.problems), read.locate
    elif name.endswith(YAML_EXTENSIONS):
        document, problems = _yaml_document(data, filename)
    else:
        raise uploads.UploadRefused(WRONG_TYPE, code="wrong_type")
    upload = FrameworkUpload(filename, document, problems)
    if document is None and problems:  # nothing to check further
        return upload
    upload.problems += document_problems(document, source=filename, locate=locate)
    if upload.problems:
        return upload
    upload.problems += library_problems(document, source=filename, locate=locate)
    upload.existing = Framework.objects.filter(key=document["key"]).first()
    if upload.existing is not None and document["version"] <= upload.existing.version:
        message = VERSION_NOT_HIGHER.format(loaded=upload.existing.version, key=document["key"])
        upload.problems.append(Problem.at(("version",), message, source=filename, locate=locate))
    return upload


def framework_upload_load(*, actor, data: bytes, filename: str) -> LoadResult:
    """Check an uploaded framework file again and load it: all of it, in one transaction, with
    a wording version naming the file and `actor`; or, when it no longer passes the checks,
    nothing (ValidationError with CHANGED_SINCE)."""
    upload = framework_upload_read(data=data, filename=filename)
    if upload.has_problems or upload.document is None:
        raise ValidationError(CHANGED_SINCE, code="changed_since")
    try:
        result = document_load(upload.document, source=upload.source, actor=actor)
    except FrameworkFileError as error:
        raise ValidationError(CHANGED_SINCE, code="changed_since") from error
    if result.outcome not in ("created", "updated"):
        raise ValidationError(CHANGED_SINCE, code="changed_since")
    return result
