"""Writing a backup: every table's rows and every stored file, read in one consistent snapshot.

Everything is read in one transaction (on PostgreSQL a repeatable-read snapshot), so the backup
is consistent while people keep working; the zip is written to a temporary file beside the
target and appears under its name only when complete.
"""

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from hicm_portal.backups.manifest import FORMAT, FORMAT_VERSION, MANIFEST
from hicm_portal.backups.tables import (
    CHUNK,
    BackupError,
    ContentDigest,
    applied_migrations,
    backed_up_models,
    dump_row,
    rebuilt_natural_keys,
    storage_of,
    table_rows,
)


@dataclass
class TableSummary:
    model: str
    table: str
    rows: int
    sha256: str
    content: str


@dataclass
class BackupResult:
    path: Path
    tables: list[TableSummary]
    files: int
    missing_files: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def backup_write(
    *, path: Path, using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] = print
) -> BackupResult:
    """Write a backup of the whole database and its stored files to `path`.

    Everything is read in one transaction (on PostgreSQL a repeatable-read snapshot), so the
    backup is consistent while people keep working. The file appears only when complete.
    Refuses to overwrite an existing file.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name or delete it first.")
    connection = connections[using]
    handle, temporary = tempfile.mkstemp(prefix=".backup-", suffix=".zip", dir=path.parent)
    os.close(handle)
    # Inside a caller's transaction (a test, say) the snapshot has begun already.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    try:
        with transaction.atomic(using=using):
            if snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            result = _write_archive(Path(temporary), using=using, progress=progress)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    result.path = path
    return result


def _write_archive(path: Path, *, using: str, progress: Callable[[str], None]) -> BackupResult:
    natural_keys = rebuilt_natural_keys(using)
    tables = []
    stored_files: dict[tuple[str, str], str] = {}  # (model label, field name) by file name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for model in backed_up_models(using):
            label = model._meta.label_lower
            with archive.open(f"data/{label}.jsonl", "w", force_zip64=True) as stream:
                file_digest = hashlib.sha256()
                rows = 0
                content = ContentDigest()
                for row in table_rows(model, using=using, natural_keys=natural_keys):
                    line = (dump_row(row) + "\n").encode()
                    file_digest.update(line)
                    stream.write(line)
                    content.add(row)
                    rows += 1
            tables.append(
                TableSummary(
                    label, model._meta.db_table, rows, file_digest.hexdigest(), content.hex()
                )
            )
            for field_name, name in _file_names(model, using=using):
                stored_files.setdefault(name, f"{label}.{field_name}")
            if rows:
                progress(f"  {label}: {rows} rows")
        files, missing = _write_files(archive, stored_files)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connections[using].vendor,
            "migrations": applied_migrations(using),
            "tables": [table.__dict__ for table in tables],
            "files": files,
            "missing_files": missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return BackupResult(path=path, tables=tables, files=len(files), missing_files=missing)


def _write_files(archive: zipfile.ZipFile, stored_files: dict[str, str]) -> tuple[list, list]:
    files, missing = [], []
    for name, owner in sorted(stored_files.items()):
        storage = storage_of(owner)
        if not storage.exists(name):
            missing.append(name)
            continue
        digest = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as source, archive.open(f"media/{name}", "w") as target:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        files.append({"name": name, "field": owner, "size": size, "sha256": digest.hexdigest()})
    return files, missing


def _file_names(model: type[models.Model], *, using: str) -> Iterator[tuple[str, str]]:
    for model_field in model._meta.local_concrete_fields:
        if isinstance(model_field, models.FileField):
            names = (
                model._base_manager.using(using)
                .exclude(**{model_field.attname: ""})
                .exclude(**{f"{model_field.attname}__isnull": True})
                .values_list(model_field.attname, flat=True)
                .distinct()
            )
            for name in names.iterator(chunk_size=CHUNK):
                yield model_field.name, name
