"""python -m benchmarks.seed_national: seeds once, says so the second time, leaves the demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Rating, System
from benchmarks import national
from benchmarks.seed_national import main
from hicm_portal.models import User
from improvement_plans.models import Action

pytestmark = pytest.mark.django_db


def test_it_makes_the_data_once_and_says_so_the_second_time(frameworks):
    out = StringIO()
    assert main(["--systems", "1", "--seed", "3"], out=out) == 0
    assert "Created 1 national systems" in out.getvalue()
    assert "Password for every national account" in out.getvalue()
    counts = (User.objects.count(), Rating.objects.count(), Action.objects.count())

    again = StringIO()
    assert main(["--systems", "1", "--seed", "3"], out=again) == 0
    assert "already present" in again.getvalue()
    assert (User.objects.count(), Rating.objects.count(), Action.objects.count()) == counts


def test_a_given_password_is_not_printed(frameworks):
    out = StringIO()
    main(["--systems", "1", "--password", "bench-password-1"], out=out)
    assert "bench-password-1" not in out.getvalue()
    assert User.objects.get(email=national.address("s001-facilitator")).check_password(
        "bench-password-1"
    )


def test_it_leaves_the_demo_alone(frameworks):
    call_command("seed_demo", password="demo-password-1", stdout=StringIO())
    demo_users = set(User.objects.values_list("email", flat=True))
    main(["--systems", "1"], out=StringIO())
    assert System.objects.filter(slug="northshire").exists()
    assert demo_users <= set(User.objects.values_list("email", flat=True))
    assert not national.national_systems().filter(slug="northshire").exists()


def test_a_dry_run_writes_nothing(frameworks):
    out = StringIO()
    assert main(["--systems", "1", "--dry-run"], out=out) == 0
    assert "Would create 1 national systems" in out.getvalue()
    assert not national.national_present()


def test_it_refuses_fewer_than_one_system(capsys):
    assert main(["--systems", "0"]) == 2
    assert "--systems must be at least 1" in capsys.readouterr().err
