"""GOV.UK date inputs: clear messages for every way a date can be wrong."""

import pytest
from django import forms

from assessments.forms import GovDateField


class DateForm(forms.Form):
    when = GovDateField(noun="closing date", label="Closing date")


def errors_for(day, month, year) -> list[str]:
    form = DateForm({"when_0": day, "when_1": month, "when_2": year})
    assert not form.is_valid()
    return form.errors["when"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the closing date"),
        ("12", "", "2027", "The closing date must include a month"),
        ("", "", "2027", "The closing date must include a day and a month"),
        ("31", "2", "2027", "The closing date must be a real date"),
        ("1", "13", "2027", "The closing date must be a real date"),
        ("x", "3", "2027", "The closing date must be a real date"),
        ("1", "3", "27", "The closing date must include a 4-digit year"),
    ],
)
def test_a_wrong_date_gets_a_gov_uk_message(day, month, year, message):
    assert message in errors_for(day, month, year)


def test_a_real_date_is_accepted_with_spaces_around_its_parts():
    form = DateForm({"when_0": " 7 ", "when_1": "3", "when_2": "2027"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"].isoformat() == "2027-03-07"


def test_a_date_error_in_the_error_summary_links_to_the_day_box():
    from django.template import Context, Template

    form = DateForm({"when_0": "", "when_1": "", "when_2": ""})
    form.is_valid()
    html = Template("{% load crispy_forms_gds %}{% error_summary form %}").render(
        Context({"form": form})
    )
    assert 'href="#id_when_0"' in html


@pytest.mark.django_db
def test_radio_questions_in_the_error_summary_link_to_their_first_option():
    from django.template import Context, Template

    from assessments.forms import InvitationForm
    from tests.factories import SystemFactory

    form = InvitationForm({"email": "a@b.example"}, system=SystemFactory())
    form.is_valid()
    html = Template("{% load crispy_forms_gds %}{% error_summary form %}").render(
        Context({"form": form})
    )
    assert 'href="#id_role_1"' in html
    assert 'id="id_role_1"' in Template(
        "{% load crispy_forms_tags %}{{ form.role|as_crispy_field }}"
    ).render(Context({"form": form}))
