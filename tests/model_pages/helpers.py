"""Shared set-up for the model pages tests (no tests of its own).

- `enabler_framework(rate_enablers=...)`: a small framework built in the test, with two
  changes and one enabler (E1, "Culture and leadership", in the enabler group E1), its
  introduction, principles and advice on measuring success.
- `enabler_round(cast, framework)`: a round of `cast.system` on it, opened through the
  service, with both of the cast's partners.
- `rate(round_, partner, user, codes)`: complete ratings of those items, through the service.
"""

from datetime import timedelta

from django.utils import timezone

from assessments.framework_loader import STANDARD_LEVELS
from assessments.models import Change, Framework, Group, Level, PartnerReturn, Round
from assessments.round_services import RatingInput, rating_save, round_open

INTRODUCTION = "The first paragraph of the introduction.\nThe second paragraph of it."
PRINCIPLES = [
    {"title": "Not a performance management tool", "text": "It supports improvement."},
    {"title": "Home First", "text": "People go home as the preferred option."},
]
MEASURING_SUCCESS = "Use live data and respond to it."
ENABLER_TITLE = "Culture and leadership"


def enabler_framework(*, rate_enablers: bool, key: str = "enabled-model") -> Framework:
    framework = Framework.objects.create(
        key=key,
        version=1,
        title="A model with enablers",
        short_title="Enabled model",
        publisher="Test publisher",
        year=2024,
        introduction=INTRODUCTION,
        principles=PRINCIPLES,
        measuring_success=MEASURING_SUCCESS,
        rate_enablers=rate_enablers,
    )
    for level in STANDARD_LEVELS:
        Level.objects.create(framework=framework, **level)
    group = Group.objects.create(
        framework=framework,
        code="E1",
        kind=Group.Kind.ENABLER,
        title=ENABLER_TITLE,
        description="Leaders who model the culture the changes need.",
    )
    Change.objects.create(
        framework=framework,
        code="1",
        title="Early discharge planning",
        position=0,
        suggested_measures=[{"name": "Discharges before noon", "unit": "%"}],
    )
    Change.objects.create(framework=framework, code="2", title="Trusted assessment", position=1)
    enabler = Change.objects.create(
        framework=framework,
        code="E1",
        title=ENABLER_TITLE,
        kind=Change.Kind.ENABLER,
        position=2,
    )
    enabler.groups.set([group])
    return framework


def enabler_round(cast, framework: Framework) -> Round:
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=cast.system,
        name="2026/27 Q4",
        framework=framework,
        status=Round.Status.DRAFT,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
        created_by=cast.facilitator,
    )
    PartnerReturn.objects.create(round=round_, partner=cast.partner)
    PartnerReturn.objects.create(round=round_, partner=cast.other_partner)
    return round_open(round_=round_, opened_by=cast.facilitator)


def rate(round_: Round, partner, user, codes: list[str]) -> PartnerReturn:
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )
    level = round_.framework.levels.get(number=3)
    for code in codes:
        rating_save(
            partner_return=partner_return,
            change=round_.framework.changes.get(code=code),
            data=RatingInput(
                level=level, rationale=f"Seen ({code})", evidence=[], confidence="medium"
            ),
            saved_by=user,
            expected_version=0,
        )
    return partner_return
