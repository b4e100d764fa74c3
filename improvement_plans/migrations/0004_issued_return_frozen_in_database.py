"""The database refuses to change an issued return (issue 12: "agreed is frozen everywhere").

An issued return is a snapshot: its round, version, data and issue time never change. Its HTML,
PDF, workbook and checksum are empty when it is issued and filled in once by the task worker
(`improvement_plans.documents._store_in_snapshot`), so each may go from empty to its value and
never change after. Who issued it may only be emptied (deleting that person sets it to NULL).

As in `assessments/migrations/0009_agreed_frozen_in_database.py`: the trigger compares the row's
old and new values only, fires on UPDATE only (deleting and a restore's inserts are untouched),
and a refusal is an IntegrityError on SQLite and PostgreSQL. On SQLite, a later migration that
remakes this table drops the trigger and must create it again;
`tests/returns/test_issued_frozen_in_database.py` fails if it is missing.
"""

from django.db import migrations

NAME = "improvement_plans_issuedreturn_frozen"
TABLE = "improvement_plans_issuedreturn"
MESSAGE = "An issued return cannot change"
FROZEN = ["id", "public_id", "round_id", "version", "data", "issued_at"]
FILLED_ONCE = {
    "html": "OLD.html <> ''",
    "pdf": "length(OLD.pdf) > 0",
    "xlsx": "length(OLD.xlsx) > 0",
}
FILLED_ONCE["checksum"] = "OLD.checksum <> ''"


def condition(distinct: str, filled_once: dict[str, str] = FILLED_ONCE) -> str:
    parts = [f"OLD.{name} {distinct} NEW.{name}" for name in FROZEN]
    parts += [
        f"({filled} AND OLD.{name} {distinct} NEW.{name})" for name, filled in filled_once.items()
    ]
    parts.append(f"(NEW.issued_by_id IS NOT NULL AND OLD.issued_by_id {distinct} NEW.issued_by_id)")
    return "(" + " OR ".join(parts) + ")"


def create_trigger(apps, schema_editor, filled_once: dict[str, str] = FILLED_ONCE) -> None:
    """Also called by 0005, which adds the Word file (`filled_once` then names it too)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW "
            f"WHEN {condition('IS NOT', filled_once)} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION improvement_plans_refuse_update() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] "
            "USING ERRCODE = 'integrity_constraint_violation'; END $$",
            params=None,  # no placeholders: the '%' is PL/pgSQL's
        )
        schema_editor.execute(
            f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW "
            f"WHEN {condition('IS DISTINCT FROM', filled_once)} "
            f"EXECUTE FUNCTION improvement_plans_refuse_update('{MESSAGE}')"
        )


def drop_trigger(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS improvement_plans_refuse_update()")


class Migration(migrations.Migration):
    dependencies = [
        ("improvement_plans", "0003_documents_and_text_limits"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
