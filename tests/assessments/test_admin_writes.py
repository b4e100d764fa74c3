"""The admin writes rounds only through the services, and agreed data is frozen there too
(issue 11 "every write through a service"; issue 12 fault 9: an agreed consensus's planned date
was edited in the admin with no re-approval and no audit entry)."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from assessments.models import AuditEvent, Consensus, Decision, PartnerReturn, Rating, Round
from improvement_plans.models import IssuedReturn
from tests.improvement_plans.helpers import agreed_round, reagree

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would post from the admin's change form, as rendered."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += (
                data.lstrip("\n") if not self.data[self._textarea][0] else data
            )


def change_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}


def admin_url(obj, view: str = "change") -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/{view}/"


@pytest.fixture
def agreed(cast, frameworks):
    return agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)


@pytest.fixture
def draft_round(cast, frameworks):
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=cast.system,
        name="2027/28",
        framework=frameworks["mtoc-2020"],
        opens_on=today,
        closes_on=today + timedelta(days=28),
        quorum=1,
        created_by=cast.facilitator,
    )
    PartnerReturn.objects.create(round=round_, partner=cast.partner)
    return round_


def test_the_admin_cannot_change_an_agreed_consensus(client, cast, agreed):
    consensus = Consensus.objects.get(round=agreed, change__code="1")
    planned_by = consensus.planned_by
    client.force_login(cast.admin)
    page = client.get(admin_url(consensus))
    assert page.status_code == 200  # shown, for support
    assert 'name="planned_by"' not in page.content.decode()

    response = client.post(
        admin_url(consensus),
        {"planned_by": (planned_by + timedelta(days=365)).strftime("%d/%m/%Y"), "_save": ""},
    )

    assert response.status_code == 403
    consensus.refresh_from_db()
    assert (consensus.planned_by, consensus.version) == (planned_by, 1)
    assert not AuditEvent.objects.filter(round=agreed).exists()


def test_the_admin_cannot_revert_a_consensus_to_an_earlier_version(client, cast, agreed):
    consensus = Consensus.objects.get(round=agreed, change__code="1")
    first = consensus.history.earliest()
    reagree(consensus, rationale="Agreed at the workshop")
    client.force_login(cast.admin)
    url = admin_url(consensus, f"history/{first.history_id}")
    assert client.get(url).status_code == 200  # the old version may be read
    assert client.post(url, {"_save": ""}).status_code == 403
    consensus.refresh_from_db()
    assert consensus.rationale == "Agreed at the workshop"


def test_the_admin_cannot_revert_a_rating_past_its_service(client, cast, open_round):
    rating = Rating.objects.create(
        round=open_round, partner=cast.partner, change=open_round.framework.changes.first()
    )
    Rating.objects.filter(pk=rating.pk).update(rationale="Saved later", version=2)
    client.force_login(cast.admin)
    url = admin_url(rating, f"history/{rating.history.earliest().history_id}")
    assert client.post(url, {"_save": ""}).status_code == 403
    rating.refresh_from_db()
    assert (rating.rationale, rating.version) == ("Saved later", 2)


@pytest.mark.parametrize("model", [Consensus, Decision, Rating, IssuedReturn])
def test_agreed_data_has_no_add_change_or_delete_in_the_admin(cast, model):
    request = RequestFactory().get("/admin/")
    request.user = cast.admin
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_draft_rounds_set_up_changed_in_the_admin_goes_through_the_service(
    client, cast, draft_round
):
    client.force_login(cast.admin)
    data = change_form(client, admin_url(draft_round))
    new_close = draft_round.closes_on + timedelta(days=7)
    data.update({"closes_on": new_close.strftime("%d/%m/%Y"), "quorum": "2", "_save": ""})

    response = client.post(admin_url(draft_round), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    draft_round.refresh_from_db()
    assert (draft_round.closes_on, draft_round.quorum) == (new_close, 2)
    event = AuditEvent.objects.get(round=draft_round)
    assert (event.actor, event.action) == (cast.admin, "Changed the round's set-up")
    assert list(draft_round.partners.all()) == [cast.partner]  # the partners stay as set


def test_the_admin_checks_a_round_by_the_forms_rules(client, cast, draft_round):
    client.force_login(cast.admin)
    data = change_form(client, admin_url(draft_round))
    data.update({"closes_on": "01/01/2020", "opens_on": "02/01/2020", "_save": ""})

    response = client.post(admin_url(draft_round), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["closes_on"] == ["The closing date must be the same as or after the opening date"]
    assert not AuditEvent.objects.exists()


def test_an_open_round_cannot_be_changed_added_or_deleted_in_the_admin(client, cast, open_round):
    client.force_login(cast.admin)
    assert client.get(admin_url(open_round)).status_code == 200  # shown
    assert client.post(admin_url(open_round), {"name": "Renamed"}).status_code == 403
    assert client.get("/admin/assessments/round/add/").status_code == 403
    assert client.post(admin_url(open_round, "delete"), {"post": "yes"}).status_code == 403
    open_round.refresh_from_db()
    assert open_round.name == "2026/27 Q3"
