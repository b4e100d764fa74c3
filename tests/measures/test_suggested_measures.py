"""Measures a framework suggests: read from its file, shown on the framework's change page,
and adopted on a plan through the add form, filled in."""

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import Change, Framework
from improvement_plans.models import Measure
from tests.improvement_plans.helpers import agreed_round
from tests.measures.helpers import measure_form, new_measure_url

pytestmark = pytest.mark.django_db

OHC_KPIS = [
    {"name": "People receiving OHC", "unit": "%"},
    {"name": "People moved from double handed care to OHC", "unit": "%"},
    {"name": "Care hours released back into the system", "unit": "hours a week"},
    {"name": "People achieving independence", "unit": "%"},
    {"name": "Reduction in hospital admissions", "unit": "%"},
    {"name": "Impact on discharge delays", "unit": "delayed days"},
]

FILE = """
    key: measured-model
    version: {version}
    title: Measured model
    short_title: Measured
    publisher: Test publisher
    year: 2025
    changes:
      - code: "1"
        title: First change
        {measures}
"""


def load_file(tmp_path, measures: str, version: int = 1) -> str:
    path = tmp_path / "measured.yaml"
    text = textwrap.dedent(FILE).format(version=version, measures=measures)
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("load_frameworks", str(path), stdout=out)
    return out.getvalue()


# --- The framework file ----------------------------------------------------------------------


def test_optimal_handed_care_suggests_its_key_performance_indicators_for_change_a(frameworks):
    change = Change.objects.get(framework__key="ohc-2025", code="A")
    assert change.suggested_measures == OHC_KPIS
    assert Change.objects.get(framework__key="ohc-2025", code="F").suggested_measures == []


@pytest.mark.usefixtures("empty_framework_library")
def test_a_file_may_list_measures_for_a_change(tmp_path):
    load_file(
        tmp_path,
        'measures:\n          - {name: "Beds freed", unit: "beds a day"}\n'
        '          - {name: "Delays"}',
    )
    change = Change.objects.get(framework__key="measured-model", code="1")
    assert change.suggested_measures == [
        {"name": "Beds freed", "unit": "beds a day"},
        {"name": "Delays", "unit": ""},
    ]


@pytest.mark.usefixtures("empty_framework_library")
def test_a_later_version_without_measures_keeps_them_and_one_with_measures_replaces_them(
    tmp_path,
):
    load_file(tmp_path, 'measures: [{name: "Beds freed", unit: "beds"}]')
    load_file(tmp_path, "", version=2)
    change = Change.objects.get(framework__key="measured-model", code="1")
    assert change.suggested_measures == [{"name": "Beds freed", "unit": "beds"}]
    load_file(tmp_path, 'measures: [{name: "Delays", unit: "days"}]', version=3)
    change.refresh_from_db()
    assert change.suggested_measures == [{"name": "Delays", "unit": "days"}]


@pytest.mark.usefixtures("empty_framework_library")
@pytest.mark.parametrize(
    "measures,message",
    [
        ('measures: "Beds freed"', "changes[0].measures: must be a list of measures"),
        ("measures: [Beds freed]", "changes[0].measures[0]: must be a mapping"),
        ("measures: [{unit: days}]", "changes[0].measures[0].name: is required"),
        ('measures: [{name: "  "}]', "changes[0].measures[0].name: must be non-empty text"),
        ("measures: [{name: Beds, unit: 5}]", "changes[0].measures[0].unit: must be non-empty"),
        (
            "measures: [{name: Beds, target: 5}]",
            "changes[0].measures[0]: has unknown keys: target",
        ),
        (
            "measures: [{name: Beds}, {name: beds}]",
            "changes[0].measures[1].name: 'beds' is used twice",
        ),
        (
            f"measures: [{{name: {'x' * 201}}}]",
            "changes[0].measures[0].name: must be at most 200 characters",
        ),
    ],
)
def test_a_malformed_measure_refuses_the_file_naming_the_key(tmp_path, measures, message):
    with pytest.raises(CommandError) as refused:
        load_file(tmp_path, measures)
    assert f"measured.yaml: {message}" in str(refused.value)
    assert not Framework.objects.exists()


# --- The framework's change page -------------------------------------------------------------


def test_the_framework_change_page_lists_the_suggested_measures(client, cast, frameworks):
    client.force_login(cast.member)
    html = client.get(reverse("change_detail", args=["ohc-2025", "A"])).content.decode()
    assert "Suggested measures" in html
    assert "<li>People receiving OHC (%)</li>" in html
    assert "<li>Impact on discharge delays (delayed days)</li>" in html
    html = client.get(reverse("change_detail", args=["mtoc-2020", "4"])).content.decode()
    assert "Suggested measures" not in html


# --- Adopting one on a plan ------------------------------------------------------------------


@pytest.fixture
def ohc_plan(cast, frameworks):
    return agreed_round(cast.system, frameworks["ohc-2025"], gaps={"A": (2, 3)})


def test_the_plan_offers_the_suggestions_and_adopting_one_fills_in_the_form(client, cast, ohc_plan):
    client.force_login(cast.facilitator)
    html = client.get(reverse("plan", args=[ohc_plan.public_id])).content.decode()
    assert "Measures the framework suggests (6)" in html
    adopt = new_measure_url(ohc_plan, "A") + "?suggested=2"
    assert f'href="{adopt}"' in html
    form_page = client.get(adopt).content.decode()
    assert 'value="Care hours released back into the system"' in form_page
    assert 'value="hours a week"' in form_page
    assert "Suggested by the framework" in form_page


def test_an_adopted_suggestion_is_no_longer_offered(client, cast, ohc_plan):
    client.force_login(cast.facilitator)
    response = client.post(
        new_measure_url(ohc_plan, "A") + "?suggested=0",
        measure_form(name="People receiving OHC", unit="%", baseline_value="12"),
    )
    assert response.status_code == 302
    assert Measure.objects.get().name == "People receiving OHC"
    html = client.get(reverse("plan", args=[ohc_plan.public_id])).content.decode()
    assert "Measures the framework suggests (5)" in html
    assert f"{new_measure_url(ohc_plan, 'A')}?suggested=0" not in html


@pytest.mark.parametrize("index", ["6", "x", "-1"])
def test_an_unknown_suggestion_leaves_the_form_empty(client, cast, ohc_plan, index):
    client.force_login(cast.facilitator)
    response = client.get(new_measure_url(ohc_plan, "A") + f"?suggested={index}")
    assert response.status_code == 200
    assert "Suggested by the framework" not in response.content.decode()


def test_suggestions_are_offered_only_to_those_who_manage_the_plan(client, cast, ohc_plan):
    client.force_login(cast.steering)
    html = client.get(reverse("plan", args=[ohc_plan.public_id])).content.decode()
    assert "Measures the framework suggests" not in html
