from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Consensus, Round

pytestmark = pytest.mark.django_db


def agreed_round(cast, framework, name, levels: dict[str, int]) -> Round:
    today = timezone.localdate()
    round_ = Round.objects.create(
        system=cast.system,
        name=name,
        framework=framework,
        status="agreed",
        opens_on=today - timedelta(days=400),
        closes_on=today - timedelta(days=380),
        quorum=1,
    )
    for code, number in levels.items():
        Consensus.objects.create(
            round=round_,
            change=framework.changes.get(code=code),
            level=framework.levels.get(number=number),
        )
    return round_


def test_raters_see_the_last_agreed_level_carried_over_the_crosswalk(
    client, cast, frameworks, open_round
):
    earlier = agreed_round(cast, frameworks["mtoc-2017"], "2019/20", {"5": 4, "8": 2})
    open_round.previous_round = earlier
    open_round.save()
    client.force_login(cast.member)
    base = f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/"
    tasks = client.get(base).content.decode()
    assert "Last agreed: 4 Mature" in tasks  # 2017 seven-day services → 2020 flexible working
    assert "Last agreed: 2 Plans in place" in tasks
    change = client.get(base + "changes/5/").content.decode()
    assert "Last agreed level for this change" in change and "2019/20" in change
    assert "Last agreed level" not in client.get(base + "changes/9/").content.decode()


def test_ratings_start_empty_even_when_the_round_starts_from_an_agreed_one(
    client, cast, frameworks, open_round
):
    earlier = agreed_round(cast, frameworks["mtoc-2020"], "2025/26", {"1": 3})
    open_round.previous_round = earlier
    open_round.save()
    client.force_login(cast.member)
    page = client.get(
        f"/rounds/{open_round.public_id}/partners/{cast.partner.public_id}/changes/1/"
    )
    assert page.context["form"].initial == {"version": 0}
    assert "Last agreed level for this change: <strong>3 Established</strong>" in (
        page.content.decode()
    )


def test_a_new_round_offers_the_last_agreed_round_as_its_starting_point(client, cast, frameworks):
    earlier = agreed_round(cast, frameworks["mtoc-2020"], "2025/26", {"1": 3})
    client.force_login(cast.facilitator)
    form = client.get("/systems/testshire/rounds/new/").context["form"]
    assert form.initial["previous_round"] == earlier.pk
