"""The database refuses to change what is agreed (issue 12: "agreed is frozen everywhere").

The services refuse first, with a message (`consensus_services`); these triggers are the last
line, for any write that goes round them (a raw update, a shell, a bug in a new page):

- An approved consensus keeps its agreed fields (level, rationale, planned level and date, the
  BCF fields, state, version, approval time) unless the same update makes a new proposal of
  it: state back to "proposed" with a higher version. That is what `consensus_propose` does
  when a round returned to review changes a proposal approved before; an agreed round never
  returns to review, so its consensus stays as agreed. Who proposed it is not frozen: deleting
  that person empties it (SET_NULL).
- A steering committee member's decision never changes once recorded.

Each trigger compares a row's old and new values only, never another table: on SQLite a
trigger that names another table breaks every later migration that remakes that table. They
fire on UPDATE only: rows may still be deleted (the tests empty the database with DELETE) and a
restore only inserts. A refusal is an IntegrityError on both databases (SQLite RAISE(ABORT);
PostgreSQL SQLSTATE 23000). On SQLite, a later migration that remakes one of these tables
(most AlterField and constraint changes do) drops its trigger with the old table and must
create it again; `tests/assessments/test_frozen_in_database.py` fails if one is missing.
"""

from django.db import migrations

CONSENSUS_FIELDS = [
    "round_id",
    "change_id",
    "level_id",
    "rationale",
    "planned_level_id",
    "planned_by",
    "challenges",
    "milestones",
    "support_needs",
    "state",
    "version",
    "proposed_at",
    "approved_at",
]
DECISION_FIELDS = [
    "id",
    "consensus_id",
    "proposal_version",
    "decided_by_id",
    "kind",
    "reason",
    "decided_at",
]


def any_changed(fields: list[str], distinct: str) -> str:
    return "(" + " OR ".join(f"OLD.{name} {distinct} NEW.{name}" for name in fields) + ")"


def triggers(distinct: str) -> list[tuple[str, str, str, str]]:
    """(trigger name, table, the condition that refuses the update, the message)."""
    return [
        (
            "assessments_consensus_agreed_frozen",
            "assessments_consensus",
            "OLD.state = 'approved'"
            " AND NOT (NEW.state = 'proposed' AND NEW.version > OLD.version)"
            f" AND {any_changed(CONSENSUS_FIELDS, distinct)}",
            "An approved consensus cannot change: propose again instead",
        ),
        (
            "assessments_decision_frozen",
            "assessments_decision",
            any_changed(DECISION_FIELDS, distinct),
            "A recorded decision cannot change",
        ),
    ]


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, table, condition, message in triggers("IS NOT"):
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION assessments_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; "
            "END $$",
            params=None,  # no placeholders: the '%' is PL/pgSQL's
        )
        for name, table, condition, message in triggers("IS DISTINCT FROM"):
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW WHEN ({condition}) "
                f"EXECUTE FUNCTION assessments_refuse_update('{message}')"
            )


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for name, table, _condition, _message in triggers(""):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS assessments_refuse_update()")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_text_limits"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
