"""Backup and restore of the whole portal: every table's rows, the history, the stored documents.

A backup is a zip file:

- `manifest.json`: what the backup holds. The migrations applied, and per table its rows,
  the SHA-256 of its data file and a digest of its content that does not depend on row order
  or on the database engine; per stored file its name and SHA-256.
- `data/<app_label>.<model>.jsonl`: one row a line, in the JSON Lines form of `dumpdata`
  (`{"model": ..., "pk": ..., "fields": {...}}`), so `loaddata` can read it too. Date-times keep
  their microseconds (`dumpdata` cuts them to milliseconds) and references to content types and
  permissions are written by natural key, as `migrate` rebuilds those in every database with ids
  of its own. Many-to-many links are written as the rows of their link tables.
- `media/<name>`: every file a `FileField` of a backed-up row refers to, from its storage.
  (Today the issued returns keep their PDF and XLSX in the database, so they come with the rows.)

Sessions are left out: a restored portal starts with everyone logged out.

A restore loads the rows as they were saved, with their ids, in one transaction, then resets
the sequences and checks every table's count and content digest against the manifest; a
mismatch rolls everything back. It adds no history: rows are saved "raw", which
django-simple-history ignores, and many-to-many links are inserted as link-table rows instead of
through `.set()`, whose `m2m_changed` would record a change dated at the restore (that is what
`loaddata` does to case studies, whose history follows their changes). The count check would
catch any row added behind our back. No setting is switched and nothing is patched.

This module is the ground floor: it reads the models through `django.apps.apps` and imports no app.
"""

import base64
import datetime
import decimal
import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "hicm-portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000

# Rebuilt by `migrate` in every database, with ids of its own: rows elsewhere refer to these by
# natural key, and they are not restored.
REBUILT_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission"})
# Logins are not data: a restored portal starts with everyone logged out.
LEFT_OUT = frozenset({"sessions.session"})

NOT_A_BACKUP = "This file is not a portal backup (no manifest.json in a zip file)."
CORRUPT = "The backup is damaged: {name} does not match its checksum in the manifest."
NOT_EMPTY = (
    "The database is not empty ({rows} rows in {tables} tables, such as {examples}). A restore "
    "replaces everything: restore into a new, migrated database, or give --force to delete "
    "every row first."
)
OTHER_MIGRATIONS = (
    "The database's migrations differ from the backup's (only in the backup: {missing}; only "
    "in the database: {extra}). Restore with the portal version that made the backup, into a "
    "database migrated to the same point, then migrate forward."
)
UNKNOWN_TABLE = "The backup holds {model}, which this version of the portal does not have."
MISMATCH = "After loading, {model} does not match the backup ({what}); nothing was restored."
FILE_EXISTS = "A different stored file {name} is already present; give --force to replace it."


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the person."""


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


@dataclass
class RestoreResult:
    created_at: str
    tables: int
    rows: int
    files: int
    dry_run: bool
    deleted_rows: int


def backed_up_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """Every model whose rows a backup holds, link tables and history included, by label."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in REBUILT_BY_MIGRATE | LEFT_OUT:
            continue
        if router.allow_migrate_model(using, model):
            chosen.append(model)
    return sorted(chosen, key=lambda model: model._meta.label_lower)


# Writing -------------------------------------------------------------------------------------


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
    natural_keys = _natural_keys(using)
    tables = []
    stored_files: dict[tuple[str, str], str] = {}  # (model label, field name) by file name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for model in backed_up_models(using):
            label = model._meta.label_lower
            with archive.open(f"data/{label}.jsonl", "w", force_zip64=True) as stream:
                file_digest = hashlib.sha256()
                rows = 0
                content = _ContentDigest()
                for row in _rows(model, using=using, natural_keys=natural_keys):
                    line = (_dump(row) + "\n").encode()
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
            "migrations": _applied_migrations(using),
            "tables": [table.__dict__ for table in tables],
            "files": files,
            "missing_files": missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return BackupResult(path=path, tables=tables, files=len(files), missing_files=missing)


def _write_files(archive: zipfile.ZipFile, stored_files: dict[str, str]) -> tuple[list, list]:
    files, missing = [], []
    for name, owner in sorted(stored_files.items()):
        storage = _storage_of(owner)
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


def _storage_of(owner: str):
    app_label, model_name, field_name = owner.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(field_name).storage


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


def _serialized_fields(model: type[models.Model]) -> list[models.Field]:
    # As Django's serializers do: the primary key and parent links are not among `serialize`.
    return [
        model_field
        for model_field in model._meta.local_fields
        if model_field.serialize and model_field.concrete and not model_field.generated
    ]


def _natural_keys(using: str) -> dict[str, dict]:
    """Natural keys of the rows rebuilt by `migrate`, by model label and primary key."""
    keys = {}
    for label in REBUILT_BY_MIGRATE:
        model = apps.get_model(label)
        rows = model._base_manager.using(using).all()
        if label == "auth.permission":
            rows = rows.select_related("content_type")
        keys[label] = {row.pk: list(row.natural_key()) for row in rows}
    return keys


def _rows(
    model: type[models.Model], *, using: str, natural_keys: dict[str, dict]
) -> Iterator[dict]:
    """The model's rows as `dumpdata` writes them, in primary-key order."""
    label = model._meta.label_lower
    fields = _serialized_fields(model)
    by_natural_key = {
        index: natural_keys[model_field.related_model._meta.label_lower]
        for index, model_field in enumerate(fields)
        if model_field.is_relation
        and model_field.related_model._meta.label_lower in REBUILT_BY_MIGRATE
    }
    pk = model._meta.pk
    queryset = (
        model._base_manager.using(using)
        .order_by(pk.attname)
        .values_list(pk.attname, *[model_field.attname for model_field in fields])
    )
    for pk_value, *values in queryset.iterator(chunk_size=CHUNK):
        row_fields = {}
        for index, (model_field, value) in enumerate(zip(fields, values, strict=True)):
            if index in by_natural_key and value is not None:
                row_fields[model_field.name] = by_natural_key[index][value]
            else:
                row_fields[model_field.name] = _plain(value)
        yield {"model": label, "pk": _plain(pk_value), "fields": row_fields}


def _plain(value):
    """A database value as JSON, readable by the field's `to_python`, losing nothing."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}")


def _dump(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


class _ContentDigest:
    """A digest of a table's rows that depends neither on their order nor on key order inside
    JSON values (PostgreSQL's jsonb reorders keys), so it compares any two databases."""

    def __init__(self):
        self.digests: list[bytes] = []

    def add(self, row: dict) -> None:
        canonical = json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        self.digests.append(hashlib.sha256(canonical.encode()).digest())

    def hex(self) -> str:
        return hashlib.sha256(b"".join(sorted(self.digests))).hexdigest()


def _applied_migrations(using: str) -> list[str]:
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


# Reading -------------------------------------------------------------------------------------


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
        manifest = _read_manifest(archive)
        _check_archive(archive, manifest)
        _check_migrations(manifest, using)
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


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError(NOT_A_BACKUP) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(NOT_A_BACKUP)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this portal "
            f"reads version {FORMAT_VERSION}."
        )
    return manifest


def _check_archive(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Every data file and stored file matches its checksum, before the database is touched."""
    members = [(f"data/{table['model']}.jsonl", table["sha256"]) for table in manifest["tables"]]
    members += [(f"media/{entry['name']}", entry["sha256"]) for entry in manifest["files"]]
    for name, expected in members:
        digest = hashlib.sha256()
        try:
            with archive.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
        except (KeyError, zipfile.BadZipFile) as error:
            raise BackupError(CORRUPT.format(name=name)) from error
        if digest.hexdigest() != expected:
            raise BackupError(CORRUPT.format(name=name))


def _check_migrations(manifest: dict, using: str) -> None:
    theirs, ours = set(manifest["migrations"]), set(_applied_migrations(using))
    if theirs != ours:
        raise BackupError(
            OTHER_MIGRATIONS.format(
                missing=_shorten(", ".join(sorted(theirs - ours)) or "none"),
                extra=_shorten(", ".join(sorted(ours - theirs)) or "none"),
            )
        )


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    natural_keys = _natural_keys(using)
    expected = {table["model"]: table for table in manifest["tables"]}
    for label, model in current.items():
        table = expected.get(label, {"rows": 0, "content": _ContentDigest().hex()})
        content = _ContentDigest()
        rows = 0
        for row in _rows(model, using=using, natural_keys=natural_keys):
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
            storage = _storage_of(entry["field"])
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
