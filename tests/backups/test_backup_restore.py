"""backup and restore: a round trip gives back every row, every issued return and the history,
and adds no history of its own. Runs on SQLite and, with DATABASE_URL, on PostgreSQL.

The rows are compared through Django's own serializer, not through the backup's code.
"""

import hashlib
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command

from assessments.models import Rating
from benchmarks import national
from hicm_portal.models import User
from improvement_plans import reports
from improvement_plans.models import IssuedReturn
from tests.helpers import rate_everything

# The restore commits, and the round trip flushes the database in between: real transactions.
pytestmark = pytest.mark.django_db(transaction=True)

# Rebuilt by migrate with ids of their own (compared by natural key) and logins (not restored).
NOT_COMPARED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def quiet(command: str, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def demo():
    """Frameworks, case studies (whose history follows their changes) and the demo system,
    with its agreed rounds, plan and issued return."""
    quiet("load_frameworks", verbosity=0)
    quiet("load_casestudies", verbosity=0)
    quiet("seed_demo", "--password", "demo-password-1")
    assert IssuedReturn.objects.exists()


@pytest.fixture
def some_data(cast, open_round):
    """Cheaper than the demo: the cast, case studies and a round with one partner's ratings."""
    quiet("load_casestudies", verbosity=0)
    rate_everything(open_round, cast.partner, cast.member)


def compared_models() -> list:
    return sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy and model._meta.label_lower not in NOT_COMPARED
        ),
        key=lambda model: model._meta.label_lower,
    )


def every_row() -> dict[str, list]:
    """Each table's rows as `dumpdata` sees them (Python values, so no precision is lost)."""
    return {
        model._meta.label_lower: serializers.serialize(
            "python",
            model._base_manager.order_by("pk"),
            use_natural_foreign_keys=True,
        )
        for model in compared_models()
    }


def history_rows() -> int:
    return sum(
        model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.model_name.startswith("historical")
    )


def issued_returns() -> dict:
    """Each issued return's checksum, as stored and as computed again from its files."""
    return {
        issued.public_id: (
            issued.checksum,
            reports.checksum(
                json.dumps(issued.data, sort_keys=True),
                bytes(issued.pdf),
                bytes(issued.xlsx),
                bytes(issued.docx),
            ),
        )
        for issued in IssuedReturn.objects.all()
    }


def test_a_round_trip_gives_back_every_row_every_return_and_no_new_history(demo, tmp_path):
    before_rows, before_history, before_returns = every_row(), history_rows(), issued_returns()
    assert before_history > 0
    assert all(stored == computed for stored, computed in before_returns.values())
    backup = tmp_path / "portal.zip"

    assert "Backed up" in quiet("backup", "--output", str(backup))
    quiet("flush", interactive=False)
    assert not User.objects.exists()
    assert "every table matches the manifest" in quiet("restore", str(backup))

    assert history_rows() == before_history
    assert issued_returns() == before_returns
    after_rows = every_row()
    assert after_rows.keys() == before_rows.keys()
    for label, rows in before_rows.items():
        assert after_rows[label] == rows, f"{label} differs after the restore"
    # The sequences continue after the restored ids.
    highest = User.objects.order_by("-pk").first().pk
    assert User.objects.create_user(email="new@example.org", password=None).pk > highest


def test_it_refuses_a_database_that_holds_rows_and_says_how_to_go_on(some_data, tmp_path):
    backup = tmp_path / "portal.zip"
    quiet("backup", "--output", str(backup))
    ratings = Rating.objects.count()

    with pytest.raises(CommandError, match="The database is not empty .* give --force"):
        quiet("restore", str(backup))
    assert Rating.objects.count() == ratings


def test_force_replaces_what_the_database_holds(some_data, tmp_path):
    before_rows, before_history = every_row(), history_rows()
    backup = tmp_path / "portal.zip"
    quiet("backup", "--output", str(backup))
    User.objects.create_user(email="after-the-backup@example.org", password=None)
    Rating.objects.filter(pk=Rating.objects.first().pk).delete()

    quiet("restore", str(backup), "--force")

    assert not User.objects.filter(email="after-the-backup@example.org").exists()
    assert history_rows() == before_history
    assert every_row()["assessments.rating"] == before_rows["assessments.rating"]


def test_a_dry_run_loads_and_checks_everything_then_rolls_back(some_data, tmp_path):
    backup = tmp_path / "portal.zip"
    quiet("backup", "--output", str(backup))
    quiet("flush", interactive=False)

    assert "rolled back" in quiet("restore", str(backup), "--dry-run")
    assert not User.objects.exists()


def test_a_damaged_backup_is_refused_before_the_database_is_touched(some_data, tmp_path):
    backup, damaged = tmp_path / "portal.zip", tmp_path / "damaged.zip"
    quiet("backup", "--output", str(backup))
    with zipfile.ZipFile(backup) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "data/assessments.rating.jsonl":
                content = content.replace(b"evidence", b"evidenci", 1)
            target.writestr(item, content)
    quiet("flush", interactive=False)

    with pytest.raises(CommandError, match="damaged: data/assessments.rating.jsonl"):
        quiet("restore", str(damaged))
    assert not User.objects.exists()


def test_the_manifest_counts_and_checksums_every_table(some_data, tmp_path):
    backup = tmp_path / "portal.zip"
    quiet("backup", "--output", str(backup))
    with zipfile.ZipFile(backup) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = {table["model"]: table for table in manifest["tables"]}
        rating_file = archive.read("data/assessments.rating.jsonl")

    assert tables["assessments.rating"]["rows"] == Rating.objects.count()
    assert tables["assessments.rating"]["sha256"] == hashlib.sha256(rating_file).hexdigest()
    assert "assessments.historicalrating" in tables
    assert "casestudies.casestudy_changes" in tables  # many-to-many links as rows
    assert "sessions.session" not in tables
    assert "contenttypes.contenttype" not in tables


def test_it_never_overwrites_a_file(some_data, tmp_path):
    backup = tmp_path / "portal.zip"
    backup.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        quiet("backup", "--output", str(backup))
    assert backup.read_text() == "keep me"


def case_study_history() -> int:
    return apps.get_model("casestudies", "HistoricalCaseStudy")._base_manager.count()


def test_loaddata_alone_would_add_history_dated_at_the_restore(some_data, tmp_path):
    """Why the restore does not use loaddata: loading a case study's changes through
    `.set()` records a history row for it."""
    dump = tmp_path / "casestudies.json"
    quiet("dumpdata", "casestudies", "--output", str(dump))
    history = case_study_history()
    apps.get_model("casestudies", "CaseStudy")._base_manager.all().delete()
    apps.get_model("casestudies", "HistoricalCaseStudy")._base_manager.all().delete()
    quiet("loaddata", str(dump), verbosity=0)
    assert case_study_history() > history


def test_national_data_round_trips_too(frameworks, tmp_path):
    national.seed_national(systems=1, seed=1, password="national-password-1")
    before_rows, before_history = every_row(), history_rows()
    backup = tmp_path / "national.zip"
    quiet("backup", "--output", str(backup))
    quiet("flush", interactive=False)
    quiet("restore", str(backup))

    assert history_rows() == before_history
    assert every_row() == before_rows
