"""Restoring a backup: its rows loaded as saved, in one transaction, then checked against it.

The database must be empty (or emptied first with `force`). Rows keep their ids and add no
history (they are saved raw, or inserted in bulk); afterwards the sequences are reset and every
table's count and content digest must match the manifest, or everything rolls back. Stored files
are put back last (not on a dry run); a different file already stored under the same name is
replaced only with `force`.
"""

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from hicm_portal.backups.manifest import (
    CORRUPT,
    NOT_A_BACKUP,
    check_archive,
    check_migrations,
    read_manifest,
)
from hicm_portal.backups.tables import (
    CHUNK,
    BackupError,
    ContentDigest,
    backed_up_models,
    rebuilt_natural_keys,
    storage_of,
    table_rows,
)

NOT_EMPTY = (
    "The database is not empty ({rows} rows in {tables} tables, such as {examples}). A restore "
    "replaces everything: restore into a new, migrated database, or give --force to delete "
    "every row first."
)
UNKNOWN_TABLE = "The backup holds {model}, which this version of the portal does not have."
MISMATCH = "After loading, {model} does not match the backup ({what}); nothing was restored."
FILE_EXISTS = "A different stored file {name} is already present; give --force to replace it."


@dataclass
class RestoreResult:
    created_at: str
    tables: int
    rows: int
    files: int
    dry_run: bool
    deleted_rows: int


def backup_restore(
    *,
    path: Path,
    force: bool = False,
    dry_run: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] = print,
) -> RestoreResult:
    """Load a backup into this database, in one transaction, and check it against its manifest.

    The database must be empty (migrated, with no rows) unless `force`, which deletes every row
    first. `dry_run` does all of it, checks included, then rolls back: a full test of a backup.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(NOT_A_BACKUP) from error
    with archive:
        manifest = read_manifest(archive)
        check_archive(archive, manifest)
        check_migrations(manifest, using)
        current = {model._meta.label_lower: model for model in backed_up_models(using)}
        for table in manifest["tables"]:
            if table["model"] not in current:
                raise BackupError(UNKNOWN_TABLE.format(model=table["model"]))
        present = _row_counts(current.values(), using)
        deleted = sum(present.values())
        if deleted and not force:
            holding = [f"{label} ({rows})" for label, rows in sorted(present.items()) if rows]
            raise BackupError(
                NOT_EMPTY.format(rows=deleted, tables=len(holding), examples=", ".join(holding[:3]))
            )
        connection = connections[using]
        with transaction.atomic(using=using):
            if deleted:
                progress(f"Deleting {deleted} rows first (--force)...")
                _delete_rows(list(current.values()), using)
            with connection.constraint_checks_disabled():
                for table in manifest["tables"]:
                    _load_table(archive, table, using)
                    if table["rows"]:
                        progress(f"  {table['model']}: {table['rows']} rows")
            connection.check_constraints(
                table_names=[model._meta.db_table for model in current.values()]
            )
            _reset_sequences(list(current.values()), using)
            _verify(manifest, current, using)
            if not dry_run:
                _restore_files(archive, manifest, force=force)
            if dry_run:
                transaction.set_rollback(True, using=using)
    return RestoreResult(
        created_at=manifest["created_at"],
        tables=len(manifest["tables"]),
        rows=sum(table["rows"] for table in manifest["tables"]),
        files=len(manifest["files"]),
        dry_run=dry_run,
        deleted_rows=deleted,
    )


def _row_counts(chosen, using: str) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.using(using).count() for model in chosen}


def _delete_rows(chosen: list[type[models.Model]], using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sql_flush(
        no_style(), [model._meta.db_table for model in chosen], reset_sequences=False
    )
    connection.ops.execute_sql_flush(statements)


def _load_table(archive: zipfile.ZipFile, table: dict, using: str) -> None:
    model = apps.get_model(table["model"])
    by_row = _saved_row_by_row(model)
    batch = []
    with archive.open(f"data/{table['model']}.jsonl") as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8")
        for deserialized in serializers.deserialize("jsonl", lines, using=using):
            if deserialized.object._meta.label_lower != table["model"]:
                raise BackupError(CORRUPT.format(name=f"data/{table['model']}.jsonl"))
            if by_row:
                # Raw, as loaddata saves (no history record); one INSERT, as the table is empty.
                deserialized.save(using=using, force_insert=True)
                continue
            batch.append(deserialized.object)
            if len(batch) == CHUNK:
                model._base_manager.using(using).bulk_create(batch)
                batch = []
    if batch:
        model._base_manager.using(using).bulk_create(batch)


def _saved_row_by_row(model: type[models.Model]) -> bool:
    """Whether the rows must be saved one by one. A bulk insert sends no signal (so writes no
    history either) and is far quicker, but it lets fields stamp their own value on the way in:
    `auto_now`, `auto_now_add`, or any field of a kind that may. Those rows are saved raw, which
    keeps the stored value. The content check after loading would catch any other change."""
    if model._meta.parents:
        return True
    for model_field in model._meta.concrete_fields:
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            return True
        stamps_nothing = type(model_field).pre_save is models.Field.pre_save or isinstance(
            model_field, models.DateField | models.TimeField | models.FileField
        )
        if not stamps_nothing:
            return True
    return False


def _reset_sequences(chosen: list[type[models.Model]], using: str) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _verify(manifest: dict, current: dict[str, type[models.Model]], using: str) -> None:
    """Every table holds what the backup says, and nothing more: counts and content digests."""
    natural_keys = rebuilt_natural_keys(using)
    expected = {table["model"]: table for table in manifest["tables"]}
    for label, model in current.items():
        table = expected.get(label, {"rows": 0, "content": ContentDigest().hex()})
        content = ContentDigest()
        rows = 0
        for row in table_rows(model, using=using, natural_keys=natural_keys):
            content.add(row)
            rows += 1
        if rows != table["rows"]:
            raise BackupError(
                MISMATCH.format(model=label, what=f"{rows} rows, not {table['rows']}")
            )
        if content.hex() != table["content"]:
            raise BackupError(MISMATCH.format(model=label, what="the content differs"))


def _restore_files(archive: zipfile.ZipFile, manifest: dict, *, force: bool) -> None:
    for entry in manifest["files"]:
        try:
            storage = storage_of(entry["field"])
        except (LookupError, FieldDoesNotExist) as error:
            raise BackupError(UNKNOWN_TABLE.format(model=entry["field"])) from error
        name = entry["name"]
        content = archive.read(f"media/{name}")
        if storage.exists(name):
            with storage.open(name, "rb") as present:
                if hashlib.sha256(present.read()).hexdigest() == entry["sha256"]:
                    continue
            if not force:
                raise BackupError(FILE_EXISTS.format(name=name))
            storage.delete(name)
        saved = storage.save(name, ContentFile(content))
        if saved != name:
            raise BackupError(f"The stored file {name} was saved as {saved}; nothing was restored.")
