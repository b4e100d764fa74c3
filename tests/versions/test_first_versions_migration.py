"""Migration 0015 makes each framework's wording its version 1 and ties every round that has
opened to it; drafts stay untied. Run here through its own functions on today's tables."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from assessments.framework_versions import snapshot, version_record
from assessments.models import Framework, FrameworkVersion, Round

pytestmark = pytest.mark.django_db

migration = importlib.import_module("assessments.migrations.0015_first_framework_versions")


def make_round(cast, framework, name, status) -> Round:
    today = timezone.localdate()
    return Round.objects.create(
        system=cast.system,
        name=name,
        framework=framework,
        status=status,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
    )


def test_each_framework_gets_version_1_and_opened_rounds_are_tied_to_it(cast, frameworks):
    FrameworkVersion.objects.all().delete()
    framework = frameworks["mtoc-2020"]
    rating = make_round(cast, framework, "Rating", Round.Status.RATING)
    agreed = make_round(cast, framework, "Agreed", Round.Status.AGREED)
    draft = make_round(cast, framework, "Draft", Round.Status.DRAFT)

    migration.first_versions(apps, None)

    for each in Framework.objects.all():
        version = FrameworkVersion.objects.get(framework=each)
        assert version.number == 1
        # The same shape as the app's snapshot: nothing new to record until the wording changes.
        assert version.content == snapshot(each)
        assert version_record(each, source="Check") is None
    first = FrameworkVersion.objects.get(framework=framework)
    for round_ in (rating, agreed):
        round_.refresh_from_db()
        assert round_.framework_version == first
    draft.refresh_from_db()
    assert draft.framework_version is None


def test_going_back_unties_the_rounds_and_deletes_the_versions(cast, frameworks):
    FrameworkVersion.objects.all().delete()
    round_ = make_round(cast, frameworks["mtoc-2020"], "Rating", Round.Status.RATING)
    migration.first_versions(apps, None)

    migration.no_versions(apps, None)

    round_.refresh_from_db()
    assert round_.framework_version is None
    assert not FrameworkVersion.objects.exists()
