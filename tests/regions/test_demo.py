"""The demo region shows something: Northshire and five fictional systems with agreed rounds
(recorded afterwards), so its pages and summaries show real distributions; seeding again adds
nothing."""

import io

from django.core.management import call_command
from django.urls import reverse

from assessments.models import RegionalViewer, Round, System
from regions.selectors import levels_summary


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--password", "demo-password-1", stdout=out)
    return out.getvalue()


def test_the_demo_region_has_six_systems_with_agreed_levels(client, frameworks):
    output = seed()
    assert "Demo system Eastshire" in output
    northshire = System.objects.get(slug="northshire")
    systems = System.objects.filter(region=northshire.region)
    assert systems.count() == 6
    assert not systems.exclude(area_code="").exclude(slug="northshire").exists()
    summary = levels_summary(framework=frameworks["mtoc-2020"], systems=systems)
    assert all(change.systems == 6 for change in summary)
    # A real distribution: more than one level on most changes, and trends both ways.
    assert sum(1 for change in summary if len([n for n in change.counts.values() if n]) > 1) >= 5
    viewer = RegionalViewer.objects.get(region=northshire.region).user
    client.force_login(viewer)
    page = client.get(reverse("region_levels", args=[northshire.region.slug]))
    text = page.content.decode()
    assert "Dalesham" in text and "up from" in text and "down from" in text
    assert client.get(reverse("region", args=[northshire.region.slug])).status_code == 200


def test_seeding_again_adds_no_system_or_round(frameworks):
    seed()
    counts = (System.objects.count(), Round.objects.count())
    again = seed()
    assert (System.objects.count(), Round.objects.count()) == counts
    assert "Demo system Eastshire" not in again
