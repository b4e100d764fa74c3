import io

import pytest
from django.core.management import call_command

from assessments.models import Member, Partner, RegionalViewer, System, SystemRole
from hicm_portal.models import User

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_has_northshire_with_its_partners_and_people():
    seed("--password", "demo-password-1")
    system = System.objects.get(slug="northshire")
    partners = Partner.objects.filter(system=system)
    assert partners.count() == 8
    assert len(set(partners.values_list("partner_type", flat=True))) == 8
    assert all(p.members.count() == 2 for p in partners)
    assert SystemRole.objects.filter(system=system, role="facilitator").count() == 1
    assert SystemRole.objects.filter(system=system, role="steering").count() == 3
    assert RegionalViewer.objects.filter(region=system.region).count() == 1
    emails = User.objects.values_list("email", flat=True)
    assert all(email.endswith("@northshire.example") for email in emails)
    facilitator = User.objects.get(email="facilitator@northshire.example")
    assert facilitator.check_password("demo-password-1")


def test_without_a_password_one_random_password_is_printed_once():
    first = seed()
    password = first.split("Password for every demo account: ")[1].split()[0]
    assert User.objects.get(email="hospitals-1@northshire.example").check_password(password)
    second = seed()
    assert "Password for every demo account" not in second
    assert "passwords were not changed" in second
    assert User.objects.get(email="hospitals-1@northshire.example").check_password(password)


def test_seeding_again_duplicates_nothing():
    seed("--password", "p-one-two-three")
    counts = (User.objects.count(), Member.objects.count(), SystemRole.objects.count())
    seed("--password", "p-one-two-three")
    assert (User.objects.count(), Member.objects.count(), SystemRole.objects.count()) == counts


def test_the_demo_facilitator_can_log_in_and_read_the_2020_framework(client):
    seed("--password", "demo-password-1")
    call_command("load_frameworks", stdout=io.StringIO())
    response = client.post(
        "/accounts/login/",
        {"username": "facilitator@northshire.example", "password": "demo-password-1"},
    )
    assert response.status_code == 302
    page = client.get("/frameworks/mtoc-2020/changes/9/").content.decode()
    assert "Housing and related services" in page


def test_the_demo_has_a_current_round_in_rating_with_every_kind_of_progress():
    from assessments.models import PartnerReturn, Rating, Round

    call_command("load_frameworks", stdout=io.StringIO())
    seed("--password", "demo-password-1")
    round_ = Round.objects.get(system__slug="northshire", status="rating")
    assert round_.framework.key == "mtoc-2020"
    returns = PartnerReturn.objects.filter(round=round_)
    submitted = [r for r in returns if r.submitted_at]
    assert len(submitted) == 3
    rated_counts = {
        r.partner.name: Rating.objects.filter(round=round_, partner=r.partner).count()
        for r in returns
        if not r.submitted_at
    }
    assert sorted(rated_counts.values()) == [0, 0, 1, 2, 5]
    assert all(
        rating.is_complete
        for rating in Rating.objects.filter(
            round=round_, partner__in=[r.partner for r in submitted]
        )
    )
    seed("--password", "demo-password-1")
    # And one in approval, and one recorded afterwards.
    assert Round.objects.filter(system__slug="northshire").count() == 6


def test_the_demo_has_two_earlier_agreed_rounds_across_the_crosswalk(client):
    from assessments.models import Consensus, Round

    call_command("load_frameworks", stdout=io.StringIO())
    seed("--password", "demo-password-1")
    agreed = Round.objects.filter(
        system__slug="northshire", status="agreed", framework__key__startswith="mtoc-"
    ).order_by("agreed_at")
    assert [(r.name, r.framework.key, r.recorded_afterwards) for r in agreed] == [
        ("2018/19", "mtoc-2017", True),
        ("2019/20", "mtoc-2017", False),
        ("2025/26", "mtoc-2020", False),
    ]
    assert agreed[1].previous_round == agreed[0]
    assert Round.objects.filter(status="agreed", framework__key="ohc-2025").exists()
    assert Consensus.objects.filter(round=agreed[0]).count() == 8
    assert Consensus.objects.filter(round=agreed[1]).count() == 8
    assert Consensus.objects.filter(round=agreed[2]).count() == 9
    current = Round.objects.get(system__slug="northshire", status="rating")
    assert current.previous_round == agreed[2]
    client.post(
        "/accounts/login/",
        {"username": "facilitator@northshire.example", "password": "demo-password-1"},
    )
    page = client.get(f"/rounds/{agreed[2].public_id}/agreed/").content.decode()
    assert "2019/20" in page and "2025/26" in page  # the trend spans both frameworks
    assert "2018/19" in page and "Recorded afterwards" in page
    assert "Planned " in page  # planned versus achieved


def test_the_demo_plan_has_actions_in_every_status_some_overdue_and_investments():
    from django.utils import timezone

    from improvement_plans.models import Action, Investment, ProgressUpdate

    call_command("load_frameworks", stdout=io.StringIO())
    seed("--password", "demo-password-1")
    actions = Action.objects.filter(rounds__name="2025/26")
    assert set(actions.values_list("status", flat=True)) == set(Action.Status.values)
    assert any(a.is_overdue(timezone.localdate()) for a in actions)
    assert ProgressUpdate.objects.filter(action__in=actions).exists()
    assert Investment.objects.filter(round__name="2025/26").count() == 5
    seed("--password", "demo-password-1")
    assert Action.objects.filter(rounds__name="2025/26").count() == actions.count()
