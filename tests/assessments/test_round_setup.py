from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Framework, PartnerReturn, Round
from tests.factories import MemberFactory, PartnerFactory, SystemRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "/systems/testshire/rounds/new/"


def date_fields(name: str, day) -> dict:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def round_data(cast, frameworks, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "name": "2026/27 Q3",
        "framework": frameworks["mtoc-2020"].pk,
        "partners": [cast.partner.pk, cast.other_partner.pk],
        "quorum": 1,
        **date_fields("opens_on", today),
        **date_fields("closes_on", today + timedelta(days=14)),
    }
    data.update(overrides)
    return data


def test_a_facilitator_sets_up_a_draft_round(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post(NEW, round_data(cast, frameworks))
    round_ = Round.objects.get()
    assert response["Location"] == f"/rounds/{round_.public_id}/"
    assert round_.status == "draft"
    assert round_.created_by == cast.facilitator
    assert set(round_.partners.all()) == {cast.partner, cast.other_partner}
    assert len(mail.outbox) == 0, "nobody is e-mailed until the round opens"


def test_the_new_round_form_defaults_to_every_partner_and_a_majority_quorum(
    client, cast, frameworks
):
    for _ in range(4):
        SystemRoleFactory(user=UserFactory(), system=cast.system, role="steering")
    client.force_login(cast.facilitator)
    form = client.get(NEW).context["form"]
    assert set(form.initial["partners"]) == {cast.partner.pk, cast.other_partner.pk}
    assert form.initial["quorum"] == 3  # 5 steering members: a majority is 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"closes_on": -1},
            "closes_on",
            "The closing date must be the same as or after the opening date",
        ),
        ({"closes_on": "past"}, "closes_on", "The closing date must be today or in the future"),
        ({"name": ""}, "name", "Enter a name for the round"),
        ({"partners": []}, "partners", "Select at least one partner"),
        ({"quorum": "two"}, "quorum", "Enter the quorum as a whole number, like 2"),
    ],
)
def test_bad_set_up_gets_a_clear_error_and_saves_nothing(
    client, cast, frameworks, overrides, field, message
):
    today = timezone.localdate()
    data = round_data(cast, frameworks)
    if overrides.get("closes_on") == -1:
        data.update(date_fields("closes_on", today - timedelta(days=1)))
        data.update(date_fields("opens_on", today + timedelta(days=3)))
    elif overrides.get("closes_on") == "past":
        data.update(date_fields("opens_on", today - timedelta(days=10)))
        data.update(date_fields("closes_on", today - timedelta(days=2)))
    else:
        data.update(overrides)
    client.force_login(cast.facilitator)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert "<title>Error: " in response.content.decode()
    assert not Round.objects.exists()


def test_a_partner_from_another_system_is_refused(client, cast, frameworks):
    client.force_login(cast.facilitator)
    response = client.post(
        NEW, round_data(cast, frameworks, partners=[cast.partner.pk, cast.outsider_partner.pk])
    )
    assert response.context["form"].errors["partners"] == ["Select partners of this system only"]
    assert not Round.objects.exists()


def test_a_framework_with_no_levels_is_refused(client, cast, frameworks):
    empty = Framework.objects.create(
        key="empty", version=1, title="Empty", short_title="Empty", publisher="X", year=2024
    )
    client.force_login(cast.facilitator)
    response = client.post(NEW, round_data(cast, frameworks, framework=empty.pk))
    assert response.context["form"].errors["framework"] == [
        "This framework has no maturity levels, so it cannot be rated"
    ]
    assert not Round.objects.exists()


def test_two_rounds_of_a_system_cannot_share_a_name(client, cast, frameworks, open_round):
    client.force_login(cast.facilitator)
    response = client.post(NEW, round_data(cast, frameworks, name=open_round.name))
    assert response.context["form"].errors["name"] == [
        "This system already has a round with that name"
    ]


@pytest.mark.parametrize("role", ["member", "steering", "viewer"])
def test_only_facilitators_set_up_rounds(client, cast, frameworks, role):
    client.force_login(cast.roles()[role])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, round_data(cast, frameworks)).status_code == 403
    assert not Round.objects.exists()


def test_people_outside_the_system_get_not_found(client, cast, frameworks):
    client.force_login(cast.outsider)
    assert client.get(NEW).status_code == 404


def draft(client, cast, frameworks) -> Round:
    client.force_login(cast.facilitator)
    client.post(NEW, round_data(cast, frameworks))
    return Round.objects.get()


def test_a_draft_round_can_be_changed_and_drops_partners_it_no_longer_includes(
    client, cast, frameworks
):
    round_ = draft(client, cast, frameworks)
    response = client.post(
        f"/rounds/{round_.public_id}/edit/",
        round_data(cast, frameworks, name="Renamed", partners=[cast.partner.pk]),
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.name == "Renamed"
    assert list(round_.partners.all()) == [cast.partner]


def test_a_draft_is_invisible_to_everyone_but_facilitators(client, cast, frameworks):
    round_ = draft(client, cast, frameworks)
    for role in ("member", "steering", "other_member"):
        client.force_login(cast.roles()[role])
        assert client.get(f"/rounds/{round_.public_id}/").status_code == 404
        assert round_.name not in client.get("/systems/testshire/rounds/").content.decode()


def test_opening_e_mails_every_member_of_the_partners_taking_part(
    client, cast, frameworks, django_capture_on_commit_callbacks
):
    round_ = draft(client, cast, frameworks)
    second = MemberFactory(partner=cast.partner).user
    excluded = PartnerFactory(system=cast.system, name="Not Taking Part")
    MemberFactory(partner=excluded, user=UserFactory(email="excluded@test.example"))
    detail = client.get(f"/rounds/{round_.public_id}/").content.decode()
    assert "Opening e-mails 3 members" in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/rounds/{round_.public_id}/open/")
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == "rating"
    assert round_.opened_by == cast.facilitator
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(["member@test.example", "other@test.example", second.email])
    message = next(m for m in mail.outbox if m.to == ["member@test.example"])
    partner_return = PartnerReturn.objects.get(round=round_, partner=cast.partner)
    assert f"/rounds/{round_.public_id}/partners/{cast.partner.public_id}/" in message.body
    assert round_.closes_on.strftime("%-d %B %Y") in message.body
    assert "9 changes" in message.body
    assert partner_return.submitted_at is None


def test_an_open_round_cannot_be_changed_or_opened_again(client, cast, frameworks, open_round):
    client.force_login(cast.facilitator)
    client.post(f"/rounds/{open_round.public_id}/edit/", round_data(cast, frameworks, name="X"))
    client.post(f"/rounds/{open_round.public_id}/open/")
    open_round.refresh_from_db()
    assert open_round.name == "2026/27 Q3"
    assert len(mail.outbox) == 0


def test_only_facilitators_open_rounds(client, cast, frameworks):
    round_ = draft(client, cast, frameworks)
    Round.objects.filter(pk=round_.pk).update(status="draft")
    client.force_login(cast.steering)
    assert client.post(f"/rounds/{round_.public_id}/open/").status_code == 404
    round_.refresh_from_db()
    assert round_.status == "draft"
