"""Reading the project's YAML data files (frameworks, case studies) the same way everywhere."""

from pathlib import Path
from typing import Any

import yaml


class DataFileError(Exception):
    """A data file that cannot be used; the message names the file and the place at fault."""


def yaml_paths(paths: list[str], default: Path) -> list[Path]:
    """The *.yaml files named, or found in the folders named (default: `default`)."""
    files: list[Path] = []
    for target in [Path(p) for p in paths] or [default]:
        if target.is_dir():
            files.extend(sorted(target.glob("*.yaml")))
        elif target.is_file():
            files.append(target)
        else:
            raise DataFileError(f"{target}: no such file or folder")
    return files


def read_yaml(path: Path, error: type[Exception]) -> Any:
    """Parse one file, raising `error` with the file's name and the line at fault."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise error(f"{path.name}: {where}: is not valid YAML") from problem
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path.name}: (file): cannot be read ({problem})") from problem
