"""`hicm_portal.words.parse_date`: the three forms a date may be typed in an import."""

from datetime import date

import pytest

from hicm_portal.words import parse_date


@pytest.mark.parametrize(
    "text",
    ["2019-09-12", "12/09/2019", "12 September 2019", "12 september 2019", " 12  SEPTEMBER 2019 "],
)
def test_a_date_is_read_in_each_form(text):
    assert parse_date(text) == date(2019, 9, 12)


def test_a_short_day_and_month_are_read_day_first():
    assert parse_date("1/4/2020") == date(2020, 4, 1)


@pytest.mark.parametrize("text", ["31/02/2020", "2019-13-01", "12.09.2019", "Sept 12", "tomorrow"])
def test_anything_else_is_refused_with_the_forms_to_use(text):
    with pytest.raises(ValueError, match="is not a date: write it like 12 September 2019"):
        parse_date(text)


def test_an_empty_date_asks_for_one():
    with pytest.raises(ValueError, match="^Enter a date, like 12 September 2019"):
        parse_date("  ")
