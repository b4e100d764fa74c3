"""Helpers shared by tests of several apps (fixtures live in conftest.py files).

- `rate_everything(...)`: a partner's complete set of ratings, saved through the service.
- `add_partners(...)`, `add_rated_partners(...)`: more partners for the tests that show a
  page runs as many queries for 15 partners as for 3.
- `query_count(client, url)`: how many queries a page runs (it must answer 200).
- `date_fields(name, value)`: the three inputs of a GOV.UK date field, as a form posts them.
"""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Partner, PartnerReturn, Round
from assessments.round_services import RatingInput, rating_save
from tests.factories import MemberFactory, PartnerFactory


def rate_everything(round_, partner, user, *, rationale="Seen in practice", level_number=3):
    """Give `partner` a complete rating of every change of `round_`, as `user` would."""
    partner_return = PartnerReturn.objects.select_related("round", "partner").get(
        round=round_, partner=partner
    )
    level = round_.framework.levels.get(number=level_number)
    evidence = [{"title": "Audit", "url": "https://example.org/audit"}] if level_number >= 4 else []
    for change in round_.framework.changes.filter(archived=False):
        rating_save(
            partner_return=partner_return,
            change=change,
            data=RatingInput(
                level=level,
                rationale=f"{rationale} ({change.code})",
                evidence=evidence,
                confidence="medium",
            ),
            saved_by=user,
            expected_version=0,
        )
    return partner_return


def add_partners(system, count: int, *, first: int = 0, **fields) -> list[tuple[Partner, object]]:
    """`count` more partners of `system`, named "Extra <first>", "Extra <first + 1>"…, each
    with a member: a list of (partner, member) pairs."""
    added = []
    for n in range(first, first + count):
        partner = PartnerFactory(system=system, name=f"Extra {n}", **fields)
        added.append((partner, MemberFactory(partner=partner).user))
    return added


def add_rated_partners(round_, count: int, *, first: int = 0, **fields) -> list[tuple]:
    """`count` more partners taking part in `round_` (see `add_partners`), whose members rated
    every change (at levels 1 to 5 in turn) and submitted, whatever state the round is in: it
    is put back in rating meanwhile, then returned to its state."""
    status = round_.status
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.RATING)
    round_.refresh_from_db()
    added = add_partners(round_.system, count, first=first, **fields)
    for n, (partner, member) in enumerate(added, start=first):
        PartnerReturn.objects.create(round=round_, partner=partner)
        rate_everything(round_, partner, member, level_number=1 + n % 5)
        PartnerReturn.objects.filter(round=round_, partner=partner).update(
            submitted_at=round_.opened_at
        )
    Round.objects.filter(pk=round_.pk).update(status=status)
    round_.refresh_from_db()
    return added


def query_count(client, url: str) -> int:
    """The number of queries `url` runs for the logged-in client (the page must answer 200)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def date_fields(name: str, value: date | None) -> dict:
    """The three inputs of a GOV.UK date field (day, month, year)."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }
