"""`manage.py import_returns`: the preview, --dry-run writing nothing, the actor recorded."""

import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assessments.models import AuditEvent, Round
from tests.factories import UserFactory
from tests.history_import.helpers import csv_file, level_rows


@pytest.fixture
def returns_file(tmp_path, frameworks):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_file(level_rows() + level_rows(period="2020/21")))
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_returns", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_previews_and_writes_nothing(cast, returns_file):
    out, _ = run(returns_file, "--dry-run")
    assert "Record round                   Testshire 2019/20 (8 rows)" in out
    assert "Testshire 2020/21" in out
    assert "Dry run: nothing was imported." in out
    assert not Round.objects.filter(name__in=["2019/20", "2020/21"]).exists()


def test_it_imports_as_the_only_superuser_and_again_changes_nothing(cast, returns_file):
    out, _ = run(returns_file)
    assert "Imported: 2 rounds recorded afterwards" in out
    round_ = Round.objects.get(system=cast.system, name="2019/20")
    assert AuditEvent.objects.get(round=round_).actor == cast.admin
    out, _ = run(returns_file)
    assert "Skip (already in the portal)   Testshire 2019/20" in out
    assert "Imported: 0 rounds recorded afterwards (2 already in the portal)" in out


def test_problems_are_listed_and_exit_with_an_error(cast, tmp_path, frameworks):
    rows = level_rows()
    rows[3][5] = "Wonderful"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file(rows))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 problem: nothing was imported"):
        call_command("import_returns", str(path), stdout=out, stderr=err)
    assert "Problem: Row 5, column level: Wonderful is not a level" in err.getvalue()
    assert not Round.objects.filter(name="2019/20").exists()


def test_the_actor_is_named_when_there_is_not_exactly_one_superuser(cast, returns_file):
    UserFactory(email="second@test.example", is_staff=True, is_superuser=True)
    with pytest.raises(CommandError, match="Name the site administrator"):
        run(returns_file)
    with pytest.raises(CommandError, match="no active site administrator"):
        run(returns_file, "--actor", cast.facilitator.email)
    out, _ = run(returns_file, "--actor", "SECOND@test.example")
    round_ = Round.objects.get(system=cast.system, name="2019/20")
    assert AuditEvent.objects.get(round=round_).actor.email == "second@test.example"


def test_create_systems_makes_them_from_the_reference_list(cast, tmp_path, frameworks):
    path = tmp_path / "area.csv"
    path.write_bytes(csv_file(level_rows(system="", area_code="E10000018")))
    with pytest.raises(CommandError):
        run(path, "--dry-run")
    out, _ = run(path, "--create-systems")
    assert "Create system  Leicestershire (E10000018, Midlands)" in out
    assert Round.objects.get(system__area_code="E10000018").recorded_afterwards


def test_the_example_files_import_into_the_demo(frameworks):
    """The README's example files record Northshire's 2017/18, before the demo's own rounds."""
    call_command("seed_demo", "--password", "demo-password-1", stdout=io.StringIO())
    for name in ("northshire-2017-18.csv", "northshire-2017-18.xlsx"):
        out, _ = run(settings.BASE_DIR / "fixtures" / "imports" / name, "--dry-run")
        assert "Record round                   Northshire 2017/18 (8 rows)" in out
    assert "Add scheme                     Seven-day social work cover" in out
    run(settings.BASE_DIR / "fixtures" / "imports" / "northshire-2017-18.xlsx")
    round_ = Round.objects.get(system__slug="northshire", name="2017/18")
    assert round_.recorded_afterwards
    levels = dict(round_.consensus.values_list("change__code", "level__name"))
    assert levels["2"] == "Not yet established"  # written "not yet established" in the file
    assert levels["4"] == "Plans in place"  # written 2
