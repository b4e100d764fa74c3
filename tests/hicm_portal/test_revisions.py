"""Revision counters (`hicm_portal.revisions`) and the page fragments keyed on them.

A cached fragment is served for as long as the revisions of its system and framework stay the
same, so every write to data a page shows must raise one of them, and must raise it so that the
new revision commits with the data: otherwise a page shows stale data. These tests hold the
mechanism to that, and check that it does not move the counters when nothing shown changed.
"""

import re
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import (
    Change,
    Comment,
    Descriptor,
    Framework,
    Partner,
    PartnerReturn,
    Rating,
    System,
)
from assessments.round_services import RatingConflict, RatingInput, rating_save
from casestudies.models import CaseStudy
from casestudies.services import CaseStudyInput, case_study_create, case_study_update
from hicm_portal import fragments, revisions
from improvement_plans.services import (
    ActionInput,
    InvestmentInput,
    action_update,
    investment_save,
)
from tests.assessments.test_consensus_support import reveal, url
from tests.factories import PartnerFactory, SystemRoleFactory
from tests.improvement_plans.plan_support import (
    agreed_round,
    make_action,
    make_investment,
    make_owner,
)

pytestmark = pytest.mark.django_db

TRACKED_APPS = ("assessments", "improvement_plans", "casestudies")


def revision(obj) -> int:
    """The revision of a system or framework as the database holds it now."""
    obj.refresh_from_db(fields=["revision"])
    return obj.revision


def revisions_of(*objs) -> list[int]:
    return [revision(obj) for obj in objs]


def save_rating(partner_return, change, user, *, rationale="Seen on the wards", version=0):
    return rating_save(
        partner_return=partner_return,
        change=change,
        data=RatingInput(
            level=partner_return.round.framework.levels.get(number=3),
            rationale=rationale,
            evidence=[],
            confidence="medium",
        ),
        saved_by=user,
        expected_version=version,
    )


def own_return(round_, partner) -> PartnerReturn:
    return PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )


SYSTEM_REVISION_RAISE = re.compile(r'^UPDATE "assessments_system" SET "revision"', re.IGNORECASE)


def revision_updates(queries) -> list[str]:
    """The statements that raised a system's revision counter."""
    return [q["sql"] for q in queries if SYSTEM_REVISION_RAISE.match(q["sql"])]


# ---------------------------------------------------------------------------
# Every model is accounted for


def test_every_model_is_either_tracked_or_declared_untracked():
    """A model nobody registered would be written without moving any counter, and the pages
    showing it would serve stale fragments. Historical (simple_history) copies and the
    automatic many-to-many tables are covered by their owners and are left out."""
    models = [
        model
        for label in TRACKED_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and not model.__name__.startswith("Historical")
    ]
    models.append(get_user_model())
    assert {System, Framework, Rating} <= set(models)  # the walk finds the portal's models
    unaccounted = [
        model._meta.label
        for model in models
        if not revisions.is_registered(model) and not revisions.is_untracked(model)
    ]
    assert not unaccounted, (
        "Register these models with hicm_portal.revisions.register() (naming the systems or "
        "frameworks whose pages show them) or declare them revisions.untracked() with a "
        f"reason: {', '.join(unaccounted)}"
    )


# ---------------------------------------------------------------------------
# Services raise the revision of their own system only


def test_a_partner_saving_a_rating_raises_its_systems_revision_and_no_other(cast, open_round):
    before, other_before = revisions_of(cast.system, cast.other_system)
    change = open_round.framework.changes.get(code="1")
    framework_before = revision(open_round.framework)

    save_rating(own_return(open_round, cast.partner), change, cast.member)

    assert revision(cast.system) > before
    assert revision(cast.other_system) == other_before
    assert revision(open_round.framework) == framework_before

    # Saving it again (the second version) raises it again.
    after_first = revision(cast.system)
    save_rating(
        own_return(open_round, cast.partner), change, cast.member, rationale="Changed", version=1
    )
    assert revision(cast.system) > after_first


def test_a_refused_rating_save_leaves_the_revision_alone(cast, open_round):
    """A conflict (someone saved since the form was loaded) writes nothing, so pages built
    before it stay valid."""
    change = open_round.framework.changes.get(code="1")
    save_rating(own_return(open_round, cast.partner), change, cast.member)
    before = revision(cast.system)
    with pytest.raises(RatingConflict):
        save_rating(own_return(open_round, cast.partner), change, cast.member, version=0)
    assert revision(cast.system) == before


# ---------------------------------------------------------------------------
# revisions.atomic(): once, as the block ends, and only on success


def test_several_writes_in_one_block_raise_each_revision_exactly_once(cast):
    before, other_before = revisions_of(cast.system, cast.other_system)
    with CaptureQueriesContext(connection) as captured, revisions.atomic():
        PartnerFactory(system=cast.system, name="Testshire Hospice")
        cast.partner.name = "Testshire University Hospitals"
        cast.partner.save()
        SystemRoleFactory(user=cast.nobody, system=cast.system, role="steering")
        cast.outsider_partner.name = "Elsewhere NHS Trust"
        cast.outsider_partner.save()
        # Not yet: the counter moves as the block ends, with the data.
        assert revisions_of(cast.system, cast.other_system) == [before, other_before]

    assert revisions_of(cast.system, cast.other_system) == [before + 1, other_before + 1]
    updates = revision_updates(captured.captured_queries)
    assert len(updates) == 2, updates  # one per system, however many writes


def test_nested_blocks_raise_the_revision_once_when_the_outermost_ends(cast):
    before = revision(cast.system)
    with revisions.atomic():
        with revisions.atomic():
            cast.partner.name = "Renamed inside"
            cast.partner.save()
        assert revision(cast.system) == before
        with revisions.atomic():
            cast.other_partner.name = "Renamed again"
            cast.other_partner.save()
        assert revision(cast.system) == before
    assert revision(cast.system) == before + 1


def test_a_write_outside_any_block_raises_the_revision_at_once(cast):
    """The admin, import screens and management commands write outside a service block."""
    before = revision(cast.system)
    cast.partner.name = "Renamed in the admin"
    cast.partner.save()
    assert revision(cast.system) == before + 1


def test_a_block_that_fails_leaves_the_revision_and_the_data_unchanged(cast):
    before = revision(cast.system)
    with pytest.raises(RuntimeError), revisions.atomic():
        cast.partner.name = "Never saved"
        cast.partner.save()
        raise RuntimeError("the service refused")
    assert revision(cast.system) == before
    assert Partner.objects.get(pk=cast.partner.pk).name == "Testshire Hospitals"


def test_a_block_marked_for_rollback_leaves_the_revision_and_the_data_unchanged(cast):
    before = revision(cast.system)
    with revisions.atomic():
        cast.partner.name = "Never saved"
        cast.partner.save()
        transaction.set_rollback(True)
    assert revision(cast.system) == before
    assert Partner.objects.get(pk=cast.partner.pk).name == "Testshire Hospitals"


def test_what_a_failed_block_touched_is_not_raised_by_the_next_block(cast):
    other_before = revision(cast.other_system)
    with pytest.raises(RuntimeError), revisions.atomic():
        cast.outsider_partner.name = "Never saved"
        cast.outsider_partner.save()
        raise RuntimeError
    with revisions.atomic():
        cast.partner.name = "Saved"
        cast.partner.save()
    assert revision(cast.other_system) == other_before


# ---------------------------------------------------------------------------
# A stale instance never writes its revision back


def test_saving_a_system_loaded_before_a_change_does_not_lower_its_revision(cast):
    stale = System.objects.get(pk=cast.system.pk)
    cast.partner.name = "Renamed meanwhile"
    cast.partner.save()  # raises the system's revision; `stale` still holds the old one
    raised = revision(cast.system)
    assert stale.revision < raised

    stale.name = "Testshire and District"
    stale.save()

    assert revision(cast.system) > raised
    assert System.objects.get(pk=cast.system.pk).name == "Testshire and District"


def test_saving_a_framework_loaded_before_a_change_does_not_lower_its_revision(frameworks):
    framework = frameworks["mtoc-2020"]
    stale = Framework.objects.get(pk=framework.pk)
    change = framework.changes.get(code="1")
    change.title = "Early discharge planning, revised"
    change.save()
    raised = revision(framework)

    stale.source_note = "Checked against the 2020 edition"
    stale.save()

    assert revision(framework) > raised


# ---------------------------------------------------------------------------
# People


def test_renaming_a_person_raises_the_revision_of_the_systems_they_take_part_in(cast):
    before, other_before = revisions_of(cast.system, cast.other_system)
    cast.member.full_name = "Mina Member-Jones"
    cast.member.save()
    assert revision(cast.system) > before
    assert revision(cast.other_system) == other_before

    # A facilitator's name shows on the system's pages too (through their role).
    before = revision(cast.system)
    cast.facilitator.full_name = "Fay Facilitator-Smith"
    cast.facilitator.save()
    assert revision(cast.system) > before
    assert revision(cast.other_system) == other_before


def test_logging_in_or_changing_a_password_moves_no_revision(client, cast):
    """A login writes last_login; pages do not show it, so cached fragments stay valid."""
    before, other_before = revisions_of(cast.system, cast.other_system)
    cast.member.last_login = timezone.now()
    cast.member.save(update_fields=["last_login"])
    client.force_login(cast.member)  # Django's own last_login update
    cast.member.set_password("a-new-long-passphrase")
    cast.member.save(update_fields=["password"])
    assert revisions_of(cast.system, cast.other_system) == [before, other_before]


# ---------------------------------------------------------------------------
# Framework content


def test_editing_a_descriptor_raises_its_frameworks_revision_and_no_other(frameworks):
    mtoc_2020, mtoc_2017 = frameworks["mtoc-2020"], frameworks["mtoc-2017"]
    before, other_before = revisions_of(mtoc_2020, mtoc_2017)
    descriptor = Descriptor.objects.create(
        change=mtoc_2020.changes.get(code="1"),
        level=mtoc_2020.levels.get(number=3),
        text="Discharge is planned early.",
    )
    assert revision(mtoc_2020) > before
    before = revision(mtoc_2020)

    descriptor = Descriptor.objects.get(pk=descriptor.pk)
    descriptor.text = "Discharge is planned from the day of admission."
    descriptor.save()
    assert revision(mtoc_2020) > before
    assert revision(mtoc_2017) == other_before


def test_editing_a_change_title_raises_its_frameworks_revision_and_no_other(frameworks):
    mtoc_2020, mtoc_2017 = frameworks["mtoc-2020"], frameworks["mtoc-2017"]
    before, other_before = revisions_of(mtoc_2020, mtoc_2017)
    change = Change.objects.get(framework=mtoc_2020, code="2")
    change.title = "Monitoring and responding to demand"
    change.save()
    assert revision(mtoc_2020) > before
    assert revision(mtoc_2017) == other_before


FRAMEWORK_FILE = """\
key: demo-model
version: {version}
title: Demo model
short_title: Demo
publisher: Test publisher
year: 2024
changes:
  - code: "1"
    title: "{title}"
    summary: About the first change
"""


def test_reloading_a_framework_file_raises_the_revision_only_for_a_newer_version(tmp_path):
    path = tmp_path / "demo-model.yaml"

    def load(version: int, title: str) -> None:
        path.write_text(FRAMEWORK_FILE.format(version=version, title=title), encoding="utf-8")
        call_command("load_frameworks", str(path), verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115

    load(1, "First change")
    framework = Framework.objects.get(key="demo-model")
    before = revision(framework)

    load(1, "First change")  # the same version: nothing changes, cached pages stay valid
    assert revision(framework) == before

    load(2, "First change, reworded")
    assert revision(framework) > before
    assert framework.changes.get(code="1").title == "First change, reworded"


# ---------------------------------------------------------------------------
# Many-to-many relations of improvement plans


@pytest.fixture
def plan(cast, frameworks):
    """An agreed round of `cast.system` with one action (led by `cast.partner`, no
    contributors) and one investment (serving change 1)."""
    round_ = agreed_round(cast.system, frameworks["mtoc-2020"], planner=cast.facilitator)
    owner = make_owner(cast.other_partner)
    action = make_action(round_, lead_partner=cast.partner, owner=owner)
    investment = make_investment(round_, codes=("1",))
    return round_, action, investment


def test_changing_an_actions_contributing_partners_raises_the_systems_revision(cast, plan):
    _round, action, _investment = plan
    before, other_before = revisions_of(cast.system, cast.other_system)
    action.contributing_partners.add(cast.other_partner)
    assert revision(cast.system) > before

    before = revision(cast.system)
    action.contributing_partners.clear()
    assert revision(cast.system) > before
    assert revision(cast.other_system) == other_before


def test_changing_an_investments_changes_raises_the_systems_revision(cast, plan):
    round_, _action, investment = plan
    before = revision(cast.system)
    investment.changes.set(round_.framework.changes.filter(code__in=("1", "2")))
    assert revision(cast.system) > before


def test_a_facilitator_updating_an_action_through_the_service_raises_the_revision(cast, plan):
    round_, action, investment = plan
    before, other_before = revisions_of(cast.system, cast.other_system)
    with CaptureQueriesContext(connection) as captured:
        action_update(
            action=action,
            round_=round_,
            data=ActionInput(
                title=action.title,
                change=action.change,
                lead_partner=action.lead_partner,
                owner=action.owner,
                start_date=action.start_date,
                due_date=action.due_date,
                contributing_partners=[cast.other_partner],
                investments=[investment],
            ),
            updated_by=cast.facilitator,
        )
    assert list(action.contributing_partners.all()) == [cast.other_partner]
    assert revision(cast.system) == before + 1  # one raise for the whole service call
    assert len(revision_updates(captured.captured_queries)) == 1
    assert revision(cast.other_system) == other_before


def test_a_facilitator_saving_an_investment_through_the_service_raises_the_revision(cast, plan):
    round_, _action, investment = plan
    before = revision(cast.system)
    investment_save(
        round_=round_,
        investment=investment,
        data=InvestmentInput(
            scheme_name=investment.scheme_name,
            funding_source=investment.funding_source,
            amount=Decimal("2500.00"),
            financial_year=investment.financial_year,
            changes=list(round_.framework.changes.filter(code__in=("1", "4"))),
        ),
        saved_by=cast.facilitator,
    )
    assert revision(cast.system) == before + 1


# ---------------------------------------------------------------------------
# Case studies


def case_study_input(**overrides) -> CaseStudyInput:
    fields = {
        "title": "Red bag scheme",
        "place": "Testshire",
        "summary": "Care home residents' things travel with them.",
        "what_they_did": "A red bag goes with every resident to hospital.",
        "outcomes": "Shorter stays.",
        "changes": [Change.objects.get(framework__key="mtoc-2017", code="6")],
        "status": CaseStudy.Status.PUBLISHED,
        **overrides,
    }
    return CaseStudyInput(**fields)


def test_adding_or_editing_a_case_study_raises_every_frameworks_revision(cast, frameworks):
    """A case study shows beside the matching change of every edition, through the crosswalk,
    so each framework's pages may show it."""
    all_frameworks = list(Framework.objects.all())
    assert len(all_frameworks) > 1
    before = revisions_of(*all_frameworks)

    case_study = case_study_create(data=case_study_input(), created_by=cast.facilitator)
    after_create = revisions_of(*all_frameworks)
    assert all(a > b for a, b in zip(after_create, before, strict=True)), (before, after_create)

    case_study_update(
        case_study=case_study,
        data=case_study_input(title="Red bag scheme, two years on"),
        updated_by=cast.facilitator,
    )
    after_edit = revisions_of(*all_frameworks)
    assert all(a > b for a, b in zip(after_edit, after_create, strict=True))


# ---------------------------------------------------------------------------
# Deletes


def test_deleting_a_comment_raises_the_systems_revision(cast, open_round):
    comment = Comment.objects.create(
        round=open_round,
        change=open_round.framework.changes.get(code="1"),
        author=cast.member,
        text="We disagree about this one",
    )
    before, other_before = revisions_of(cast.system, cast.other_system)
    comment.delete()
    assert revision(cast.system) > before
    assert revision(cast.other_system) == other_before


def test_deleting_a_rating_raises_the_systems_revision(cast, open_round):
    rating = save_rating(
        own_return(open_round, cast.partner),
        open_round.framework.changes.get(code="1"),
        cast.member,
    )
    before = revision(cast.system)
    Rating.objects.get(pk=rating.pk).delete()  # loaded afresh, as the admin would
    assert revision(cast.system) > before


def test_deleting_a_round_raises_the_systems_revision(cast, open_round):
    """The cascade deletes its returns too; the system's pages must stop listing them."""
    before = revision(cast.system)
    open_round.delete()
    assert revision(cast.system) > before


# ---------------------------------------------------------------------------
# fragments.cached


def test_a_fragment_is_built_once_per_set_of_parts():
    calls = []

    def build():
        calls.append(1)
        return f"<p>built {len(calls)}</p>"

    assert fragments.cached("review", (1, 7, 3), build) == "<p>built 1</p>"
    assert fragments.cached("review", (1, 7, 3), build) == "<p>built 1</p>"
    assert len(calls) == 1

    # A raised revision is a different set of parts: built afresh.
    assert fragments.cached("review", (1, 8, 3), build) == "<p>built 2</p>"
    # So is another fragment with the same parts.
    assert fragments.cached("approval", (1, 8, 3), build) == "<p>built 3</p>"
    assert len(calls) == 3
    assert fragments.cached("review", (1, 8, 3), build) == "<p>built 2</p>"
    assert len(calls) == 3


def test_the_review_page_never_shows_a_stale_partner_name_or_change_title(client, cast, open_round):
    """End to end: the review table is a cached fragment; an edit made in the admin (a plain
    save) shows on the next request."""
    reveal(open_round, cast)
    client.force_login(cast.facilitator)
    page = client.get(url(open_round, "review")).content.decode()
    assert "Testshire Hospitals" in page

    cast.partner.name = "Testshire University Hospitals"
    cast.partner.save()
    change = open_round.framework.changes.get(code="1")
    change.title = "A title edited in the admin"
    change.save()

    page = client.get(url(open_round, "review")).content.decode()
    assert "Testshire University Hospitals" in page
    assert "Testshire Hospitals<" not in page
    assert "A title edited in the admin" in page


# ---------------------------------------------------------------------------
# Committed together with the data


def in_another_connection(read):
    """`read()` run on a connection of its own, which sees only committed data."""
    result = {}

    def run():
        try:
            result["value"] = read()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


@pytest.mark.django_db(transaction=True)
def test_a_services_raised_revision_commits_with_its_data(cast, open_round):
    before = revision(cast.system)
    change = open_round.framework.changes.get(code="1")

    with CaptureQueriesContext(connection) as captured:
        save_rating(own_return(open_round, cast.partner), change, cast.member)
    assert not connection.in_atomic_block

    # Another connection sees the rating and the raised revision together.
    seen = in_another_connection(
        lambda: (
            System.objects.get(pk=cast.system.pk).revision,
            Rating.objects.filter(round=open_round, partner=cast.partner, change=change).exists(),
        )
    )
    assert seen == (before + 1, True)

    # And the raise was part of the rating's transaction, just before its commit.
    sql = [q["sql"] for q in captured.captured_queries]
    commits = [i for i, s in enumerate(sql) if s.upper() == "COMMIT"]
    raises = [i for i, s in enumerate(sql) if SYSTEM_REVISION_RAISE.match(s)]
    inserts = [
        i for i, s in enumerate(sql) if s.upper().startswith('INSERT INTO "ASSESSMENTS_RATING"')
    ]
    assert len(commits) == 1 and len(raises) == 1 and inserts, sql
    assert inserts[0] < raises[0] < commits[0]


@pytest.mark.django_db(transaction=True)
def test_a_block_failing_after_its_writes_commits_neither_data_nor_revision(cast):
    before = revision(cast.system)
    with pytest.raises(RuntimeError), revisions.atomic():
        cast.partner.name = "Never saved"
        cast.partner.save()
        raise RuntimeError("the service refused")
    seen = in_another_connection(
        lambda: (
            System.objects.get(pk=cast.system.pk).revision,
            Partner.objects.get(pk=cast.partner.pk).name,
        )
    )
    assert seen == (before, "Testshire Hospitals")
