"""Money as people type it and as the portal writes it (hicm_portal.money): one parser for the
investment form and the import of past returns, one way of writing amounts."""

from decimal import Decimal

import pytest

from hicm_portal.money import format_amount, parse_amount, pounds


@pytest.mark.parametrize(
    "typed,amount",
    [
        ("£250,000", Decimal("250000.00")),
        ("250,000", Decimal("250000.00")),
        ("250000.50", Decimal("250000.50")),
        (" £1,250,000.5 ", Decimal("1250000.50")),
        ("0", Decimal("0.00")),
        (".75", Decimal("0.75")),
        (Decimal("12.3"), Decimal("12.30")),
    ],
)
def test_an_amount_is_read_with_or_without_a_pound_sign_and_thousands_separators(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Enter an amount in pounds, like 250,000 or 1250.50"),
        ("-5", "The amount must be £0 or more (it is -5)"),
        ("£-5", "The amount must be £0 or more (it is £-5)"),
        ("12.345", "Enter the amount in pounds and pence, with at most two decimal places"),
        ("lots", "Enter the amount as a number of pounds, like 250,000 or 1250.50 (not lots)"),
        ("25,00", "Enter the amount as a number of pounds"),
        ("1e5", "Enter the amount as a number of pounds"),
        ("250k", "Enter the amount as a number of pounds"),
        ("10000000000", "The amount must be less than £10,000,000,000"),
    ],
)
def test_a_bad_amount_is_refused_with_a_message_a_person_can_act_on(typed, message):
    with pytest.raises(ValueError) as refused:
        parse_amount(typed)
    assert str(refused.value).startswith(message)


def test_amounts_are_written_with_thousands_separators_and_pence():
    assert format_amount(Decimal("250000")) == "250,000.00"
    assert format_amount("125000.5") == "125,000.50"
    assert pounds(Decimal("375000.5")) == "£375,000.50"
    assert format_amount("not a number") == "not a number"
