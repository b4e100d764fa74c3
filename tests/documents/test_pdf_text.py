"""The `breakable` filter: long runs of characters with nowhere to break get invisible break
opportunities; words and ordinary web addresses are left as they are."""

from django.utils.safestring import mark_safe

from hicm_portal.templatetags.pdf_text import ZERO_WIDTH_SPACE, breakable


def test_words_and_ordinary_addresses_are_left_alone():
    text = "See https://www.example.org/reports/discharge-audit-2026.pdf for the audit"
    assert breakable(text) == text


def test_a_long_run_gets_a_break_opportunity_every_half_of_the_limit():
    run = "x" * 130
    pieces = ["x" * 30] * 4 + ["x" * 10]
    assert breakable(f"a {run} b") == f"a {ZERO_WIDTH_SPACE.join(pieces)} b"
    assert breakable(run).replace(ZERO_WIDTH_SPACE, "") == run


def test_a_narrow_cell_asks_for_shorter_runs():
    assert breakable("y" * 30, 24).split(ZERO_WIDTH_SPACE) == ["y" * 12, "y" * 12, "y" * 6]


def test_text_already_marked_safe_is_left_as_it_is():
    safe = mark_safe("&amp;" * 30)  # noqa: S308 (a fixed string)
    assert breakable(safe) is safe
