"""Shared set-up for the review, consensus and approval tests (no tests of its own).

Rounds are moved through their states with the services, as a facilitator, partners and the
steering committee would; the tests then exercise the pages.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments import consensus_services
from assessments.consensus_services import ProposalInput
from assessments.models import Consensus, PartnerReturn, Rating, Round
from assessments.round_services import return_submit
from tests.factories import SystemRoleFactory, UserFactory
from tests.helpers import rate_everything

PROPOSAL_RATIONALE = "Agreed at the workshop"


def url(round_, name: str, *args) -> str:
    return reverse(name, args=[round_.public_id, *args])


def level(round_, number: int):
    return round_.framework.levels.get(number=number)


def codes(round_) -> list[str]:
    return list(
        round_.framework.changes.filter(archived=False)
        .order_by("position")
        .values_list("code", flat=True)
    )


def submit(round_, partner, user, *, level_number: int = 3, rationale: str = "Seen in practice"):
    """Rate every change as `partner` and submit the return."""
    rate_everything(round_, partner, user, rationale=rationale, level_number=level_number)
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )
    return return_submit(partner_return=partner_return, submitted_by=user)


def set_level(round_, partner, code: str, number: int) -> None:
    Rating.objects.filter(round=round_, partner=partner, change__code=code).update(
        level=level(round_, number)
    )


def reveal(round_, cast, *, level_number: int = 3, other_level_number: int = 3) -> None:
    """Both partners submit, then the facilitator reveals."""
    submit(round_, cast.partner, cast.member, level_number=level_number)
    submit(round_, cast.other_partner, cast.other_member, level_number=other_level_number)
    consensus_services.round_reveal(round_=round_, revealed_by=cast.facilitator)
    round_.refresh_from_db()


def propose(round_, code: str, facilitator, *, number: int = 3, planned: int | None = None):
    """Propose `number` (treated as the suggestion) for one change, through the service."""
    consensus = Consensus.objects.filter(round=round_, change__code=code).first()
    planned = planned or number
    return consensus_services.consensus_propose(
        round_=round_,
        change=round_.framework.changes.get(code=code),
        data=ProposalInput(
            level=level(round_, number),
            rationale=PROPOSAL_RATIONALE,
            planned_level=level(round_, planned),
            planned_by=timezone.localdate() + timedelta(days=365) if planned > number else None,
        ),
        proposed_by=facilitator,
        expected_version=consensus.version if consensus else 0,
        suggested=number,
    )


def propose_every_change(round_, facilitator, *, number: int = 3, except_codes=()) -> None:
    for code in codes(round_):
        if code not in except_codes:
            propose(round_, code, facilitator, number=number)


def to_review(round_, cast) -> None:
    reveal(round_, cast)


def to_approval(round_, cast) -> None:
    reveal(round_, cast)
    propose_every_change(round_, cast.facilitator)
    consensus_services.round_submit_for_approval(round_=round_, submitted_by=cast.facilitator)
    round_.refresh_from_db()


def approve(round_, code: str, user):
    return consensus_services.decision_record(
        round_=round_,
        change=round_.framework.changes.get(code=code),
        decided_by=user,
        kind="approve",
    )


def to_agreed(round_, cast) -> None:
    to_approval(round_, cast)
    for code in codes(round_):
        approve(round_, code, cast.steering)
    round_.refresh_from_db()


def to_state(round_, cast, state: str) -> None:
    {
        "rating": lambda: None,
        "review": lambda: to_review(round_, cast),
        "approval": lambda: to_approval(round_, cast),
        "agreed": lambda: to_agreed(round_, cast),
    }[state]()


def second_steering_member(system, email="steering2@test.example", name="Sam Second"):
    user = UserFactory(email=email, full_name=name)
    SystemRoleFactory(user=user, system=system, role="steering")
    return user


def second_facilitator(system, email="facilitator2@test.example", name="Flo Second"):
    user = UserFactory(email=email, full_name=name)
    SystemRoleFactory(user=user, system=system, role="facilitator")
    return user


def both_roles(system, email="both@test.example", name="Bo Both"):
    """A person who is both a facilitator and a steering committee member of `system`."""
    user = UserFactory(email=email, full_name=name)
    SystemRoleFactory(user=user, system=system, role="facilitator")
    SystemRoleFactory(user=user, system=system, role="steering")
    return user


def proposal_form(
    round_,
    *,
    level_number: int,
    planned_number: int | None = None,
    planned_by=None,
    rationale: str = "",
    version: int = 0,
    dissent: dict | None = None,
    **extra,
) -> dict:
    """The POST data of the proposal form."""
    data = {
        "level": str(level(round_, level_number).pk),
        "rationale": rationale,
        "planned_level": str(level(round_, planned_number).pk) if planned_number else "",
        "version": str(version),
        **extra,
    }
    if planned_by is not None:
        data.update(
            {
                "planned_by_0": str(planned_by.day),
                "planned_by_1": str(planned_by.month),
                "planned_by_2": str(planned_by.year),
            }
        )
    for partner, note in (dissent or {}).items():
        data[f"dissent_{partner.pk}"] = note
    return data


def agreed_earlier(cast, framework, levels: dict[str, int], *, name: str = "2025/26") -> Round:
    """An agreed round of the cast's system a year back, recorded directly, with these agreed
    (approved) levels by change code: the round a later one starts from."""
    today = timezone.localdate()
    earlier = Round.objects.create(
        system=cast.system,
        name=name,
        framework=framework,
        status=Round.Status.AGREED,
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=380),
        quorum=1,
        agreed_at=timezone.now() - timedelta(days=370),
    )
    for code, number in levels.items():
        Consensus.objects.create(
            round=earlier,
            change=framework.changes.get(code=code),
            level=framework.levels.get(number=number),
            state=Consensus.State.APPROVED,
        )
    return earlier
