"""Money in pounds, read and written one way everywhere: the investment form, the import of
past returns, the plan page, the return and its files.

`parse_amount` reads what people type ("£250,000", "250,000", "250000.50"); `format_amount`
writes an amount with thousands separators and pence ("250,000.00"), and `pounds` puts the
pound sign before it ("£250,000.00"). Tables headed "Amount (£)" use `format_amount`; text uses
`pounds`.
"""

import re
from decimal import Decimal, InvalidOperation

# Groups of three digits after the first one to three: "250,000" or "1,250,000.50".
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")
# An amount's largest value: the models store 12 digits, two of them pence.
MAX_AMOUNT = Decimal("9999999999.99")


def parse_number(text) -> Decimal:
    """A number as people type it: digits with or without thousands separated by commas, a
    decimal point, a minus sign in front ("1,250", "23.5", "-4"). Spaces are ignored. Raises
    ValueError (without a message: each caller words it) when it is not such a number. Amounts
    of money (`parse_amount`) and a plan's local measures read numbers this one way."""
    cleaned = str(text or "").strip().replace(" ", "").replace("\u00a0", "")
    digits = cleaned.removeprefix("-")
    if len(cleaned) > 30 or not (_GROUPED.match(digits) or _PLAIN.match(digits)):
        raise ValueError
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the patterns admit numbers only
        raise ValueError from error


def parse_amount(text) -> Decimal:
    """An amount of money from what a person typed: an optional "£", thousands separated by
    commas or not, and at most two decimal places ("£250,000", "250,000", "250000.50").

    Raises ValueError with a message a person can act on: empty, negative, not a number, more
    than two decimal places, or too large."""
    if isinstance(text, Decimal | int):
        text = str(text)
    cleaned = str(text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise ValueError("Enter an amount in pounds, like 250,000 or 1250.50")
    negative = cleaned.startswith("-") or cleaned.startswith("£-") or cleaned.startswith("(")
    if negative:
        raise ValueError(f"The amount must be £0 or more (it is {text.strip()})")
    try:
        amount = parse_number(cleaned.removeprefix("£"))
    except ValueError:
        raise ValueError(
            f"Enter the amount as a number of pounds, like 250,000 or 1250.50 (not {text.strip()})"
        ) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(
            f"Enter the amount in pounds and pence, with at most two decimal places "
            f"(not {text.strip()})"
        )
    if amount > MAX_AMOUNT:
        raise ValueError("The amount must be less than £10,000,000,000")
    return amount.quantize(Decimal("0.01"))


def format_amount(value) -> str:
    """Pounds with thousands separators and pence: 125000.5 -> "125,000.50". A value that is
    not a number comes back as it is."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def pounds(value) -> str:
    """An amount in text: "£125,000.50"."""
    return f"£{format_amount(value)}"
