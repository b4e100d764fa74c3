"""The tables a backup holds, and their rows as a backup writes them: shared by backup and restore.

Rows are written in the JSON Lines form of `dumpdata`, in primary-key order, losing nothing
(date-times keep their microseconds); references to the rows `migrate` rebuilds (content types,
permissions) are written by natural key. `ContentDigest` sums a table's rows so that any two
databases compare, whatever their row order or engine: the backup records it, the restore checks
it.
"""

import base64
import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

CHUNK = 2000

# Rebuilt by `migrate` in every database, with ids of its own: rows elsewhere refer to these by
# natural key, and they are not restored.
REBUILT_BY_MIGRATE = frozenset({"contenttypes.contenttype", "auth.permission"})
# Logins are not data: a restored portal starts with everyone logged out.
LEFT_OUT = frozenset({"sessions.session"})


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the person."""


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


def storage_of(owner: str):
    """The storage of a file field named "app_label.model.field"."""
    app_label, model_name, field_name = owner.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(field_name).storage


def _serialized_fields(model: type[models.Model]) -> list[models.Field]:
    # As Django's serializers do: the primary key and parent links are not among `serialize`.
    return [
        model_field
        for model_field in model._meta.local_fields
        if model_field.serialize and model_field.concrete and not model_field.generated
    ]


def rebuilt_natural_keys(using: str) -> dict[str, dict]:
    """Natural keys of the rows rebuilt by `migrate`, by model label and primary key."""
    keys = {}
    for label in REBUILT_BY_MIGRATE:
        model = apps.get_model(label)
        rows = model._base_manager.using(using).all()
        if label == "auth.permission":
            rows = rows.select_related("content_type")
        keys[label] = {row.pk: list(row.natural_key()) for row in rows}
    return keys


def table_rows(
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


def dump_row(row: dict) -> str:
    """A row as one line of the table's data file."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


class ContentDigest:
    """A digest of a table's rows that depends neither on their order nor on key order inside
    JSON values (PostgreSQL's jsonb reorders keys), so it compares any two databases."""

    def __init__(self):
        self.digests: list[bytes] = []

    def add(self, row: dict) -> None:
        canonical = json.dumps(row, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        self.digests.append(hashlib.sha256(canonical.encode()).digest())

    def hex(self) -> str:
        return hashlib.sha256(b"".join(sorted(self.digests))).hexdigest()


def applied_migrations(using: str) -> list[str]:
    """The database's applied migrations, as "app.name", sorted."""
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)
