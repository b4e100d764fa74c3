"""Bounded documents: long text flows across pages and is never cut, every text people write
has a limit, and the worst consensus record and return those limits permit build within the
worker's limit (DOCUMENT_TIMEOUT_SECONDS)."""

import re
import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from assessments.forms import ProposalForm, RatingForm, ReturnDecisionForm
from assessments.models import Consensus, Dissent, Rating, Round
from hicm_portal.validators import validators_of
from improvement_plans import reports
from improvement_plans.forms import NarrativeForm
from improvement_plans.models import ReturnNarrative
from tests.documents.helpers import RecordTexts, pdf_words, record_round
from tests.improvement_plans.helpers import reagree
from tests.returns.helpers import pdf_reader, plan_round

pytestmark = pytest.mark.django_db

PROSE = "Partners discharge to plan on weekdays and audit weekend flow every month. "


def numbered_lines(count: int) -> str:
    return "\n".join(str(n) for n in range(1, count + 1))


def test_a_rationale_of_1024_lines_prints_every_line(cast, open_round):
    """More lines than a rationale may now have (text saved before the limits, or written
    straight to the database): the renderer still prints every one."""
    text = numbered_lines(1024)
    round_ = record_round(
        open_round,
        cast,
        partners=2,
        texts=RecordTexts(rationale=lambda p, code: text if (p, code) == (0, "1") else "Short"),
    )
    words = pdf_words(reports.consensus_record_pdf(round_)).split()
    printed = {int(word) for word in words if word.isdigit()}
    assert set(range(1, 1025)) <= printed


# What every page of the record repeats, whitespace removed: the footer, the running header and
# the table's header.
PAGE_FURNITURE = [
    r"Page\d+of\d+",
    "Testshire·2026/27Q3·Consensusrecord",
    "PartnerLevelConfidenceRationale",
]


def test_a_run_with_nowhere_to_break_wraps_instead_of_running_off_the_page(cast, open_round):
    run = "".join(f"{n:04d}" for n in range(1, 1251))  # 5,000 digits, no space
    round_ = record_round(
        open_round,
        cast,
        partners=2,
        texts=RecordTexts(
            rationale=lambda p, code: run if (p, code) == (1, "2") else "Short",
            dissent=lambda p, code: f"d{run[:300]}" if (p, code) == (0, "3") else "",
            consensus_rationale=lambda code: f"c{run[:400]}" if code == "4" else "",
        ),
    )
    printed = re.sub(r"\s", "", pdf_words(reports.consensus_record_pdf(round_)))
    for furniture in PAGE_FURNITURE:  # between the parts of a run that crosses a page
        printed = re.sub(furniture, "", printed)
    assert run in printed
    assert f"d{run[:300]}" in printed and f"c{run[:400]}" in printed


# The limits, and the GOV.UK messages people see.

RATIONALE_TOO_LONG = "Rationale must be 5,000 characters or fewer"
RATIONALE_TOO_MANY_LINES = "Rationale must be 50 lines or fewer"


def test_a_rationale_past_5000_characters_or_50_lines_is_refused_by_the_model():
    for text, message in [
        ("x" * 5001, RATIONALE_TOO_LONG),
        (numbered_lines(51), RATIONALE_TOO_MANY_LINES),
    ]:
        for model, field in [(Rating, "rationale"), (Consensus, "rationale")]:
            with pytest.raises(ValidationError) as refused:
                for validator in validators_of(model, field):
                    validator(text)
            assert refused.value.messages == [message]
    for validator in validators_of(Rating, "rationale"):
        validator("x" * 4949 + "\n" * 49)  # both limits exactly: allowed


def test_the_rating_form_says_what_is_too_long(open_round):
    form = RatingForm(
        data={"level": "", "rationale": "x" * 5001, "confidence": "", "version": 0},
        level_hints=[(level, "") for level in open_round.framework.levels.all()],
        complete=False,
    )
    assert not form.is_valid()
    assert form.errors["rationale"] == [RATIONALE_TOO_LONG]
    assert form.has_error("rationale", code="max_length")
    form = RatingForm(
        data={"level": "", "rationale": numbered_lines(51), "confidence": "", "version": 0},
        level_hints=[(level, "") for level in open_round.framework.levels.all()],
        complete=False,
    )
    assert form.errors["rationale"] == [RATIONALE_TOO_MANY_LINES]
    assert form.has_error("rationale", code="max_lines")


def test_the_proposal_decision_and_narrative_fields_have_limits(cast, open_round):
    levels = list(open_round.framework.levels.all())
    proposal = ProposalForm(
        data={
            "level": str(levels[2].pk),
            "planned_level": str(levels[2].pk),
            "rationale": "x" * 5001,
            "challenges": "x" * 5001,
            "milestones": numbered_lines(51),
            "support_needs": "fine",
            f"dissent_{cast.partner.pk}": "x" * 2001,
            "version": 0,
        },
        levels=levels,
        suggested=None,
        partners=[cast.partner],
    )
    assert not proposal.is_valid()
    assert proposal.errors["rationale"] == [RATIONALE_TOO_LONG]
    assert proposal.errors["challenges"] == ["Challenges must be 5,000 characters or fewer"]
    assert proposal.errors["milestones"] == [
        "Milestones met and observed impact must be 50 lines or fewer"
    ]
    assert proposal.errors[f"dissent_{cast.partner.pk}"] == [
        "Dissent must be 2,000 characters or fewer"
    ]
    assert "support_needs" not in proposal.errors
    decision = ReturnDecisionForm(data={"reason": "x" * 5001})
    assert decision.errors["reason"] == ["Reason must be 5,000 characters or fewer"]
    narrative = NarrativeForm(data={"performance_issues": "x" * 10_001})
    assert narrative.errors["performance_issues"] == [
        "Current performance issues must be 10,000 characters or fewer"
    ]


# The worst permitted consensus record.

PARTNERS = 15


def limits(model, field) -> tuple[int, int]:
    """(characters, lines) a field permits, read from its validators."""
    found = {type(v).__name__: v.limit_value for v in validators_of(model, field)}
    return found["MaxLengthValidator"], found["MaxLinesValidator"]


def worst_text(tag: str, characters: int, lines: int) -> str:
    """The most costly text to lay out that the limits permit: as many short lines as allowed
    (each its own line on the page), then prose to the last character. Every line carries a
    marker, and the text ends with one, so a test can see that nothing was cut."""
    head = [f"{tag}L{n:02d}" for n in range(1, lines)]
    tail_marker = f" {tag}END"
    room = characters - sum(len(line) + 1 for line in head) - len(tail_marker)
    text = "\n".join([*head, (PROSE * (room // len(PROSE) + 1))[:room] + tail_marker])
    assert len(text) == characters and text.count("\n") + 1 == lines
    return text


def test_the_worst_permitted_record_builds_within_the_workers_limit_and_nothing_is_cut(
    cast, open_round
):
    rationale = limits(Rating, "rationale")
    dissent = limits(Dissent, "note")
    texts = RecordTexts(
        rationale=lambda p, code: worst_text(f"R{p:02d}C{code}", *rationale),
        dissent=lambda p, code: worst_text(f"D{p:02d}C{code}", *dissent),
        consensus_rationale=lambda code: worst_text(f"A{code}", *limits(Consensus, "rationale")),
        return_reason=lambda code: worst_text(f"Q{code}", *rationale),
        attendance_note=worst_text("N", *limits(Round, "attendance_note")),
    )
    for model, field, text in [
        (Rating, "rationale", texts.rationale(14, "9")),
        (Dissent, "note", texts.dissent(14, "9")),
        (Consensus, "rationale", texts.consensus_rationale("9")),
        (Round, "attendance_note", texts.attendance_note),
    ]:
        for validator in validators_of(model, field):
            validator(text)  # permitted: at the limits, not past them
    round_ = record_round(open_round, cast, partners=PARTNERS, texts=texts)

    started, cpu_started = time.perf_counter(), time.process_time()
    pdf = reports.consensus_record_pdf(round_)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started

    pages = len(pdf_reader(pdf).pages)
    print(
        f"\nThe worst permitted consensus record: {pages} pages, {len(pdf):,} bytes, "
        f"{cpu_seconds:.1f} s of processor time ({seconds:.1f} s on the clock)"
    )
    # The budget is the worker's limit, on the render's own processor time: on a machine shared
    # with other test processes the clock also counts their work, and even processor time grows
    # under contention (about 30 s when quiet, 70 s with two suites running beside it on two
    # cores). Text past the limits, which this protects against, takes minutes.
    assert cpu_seconds < settings.DOCUMENT_TIMEOUT_SECONDS
    printed = set(re.findall(r"\w+", pdf_words(pdf)))
    codes = list(round_.framework.changes.filter(archived=False).values_list("code", flat=True))
    assert len(codes) == 9
    expected = {"NEND"} | {f"NL{n:02d}" for n in range(1, limits(Round, "attendance_note")[1])}
    for code in codes:
        for tag, lines in [(f"A{code}", rationale[1]), (f"Q{code}", rationale[1])]:
            expected |= {f"{tag}L{n:02d}" for n in range(1, lines)} | {f"{tag}END"}
        for p in range(PARTNERS):
            tags = [(f"R{p:02d}C{code}", rationale[1]), (f"D{p:02d}C{code}", dissent[1])]
            for tag, lines in tags:
                expected |= {f"{tag}L{n:02d}" for n in range(1, lines)} | {f"{tag}END"}
    missing = sorted(expected - printed)
    assert not missing, f"{len(missing)} markers missing, such as {missing[:5]}"


def test_the_worst_permitted_return_builds_within_the_workers_limit_and_nothing_is_cut(
    cast, frameworks
):
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    exemplary = round_.framework.levels.get(number=5)
    fields = ["rationale", "challenges", "milestones", "support_needs"]
    for consensus in Consensus.objects.filter(round=round_).select_related("change"):
        for n, field in enumerate(fields):
            setattr(
                consensus,
                field,
                worst_text(f"F{n}C{consensus.change.code}", *limits(Consensus, field)),
            )
        consensus.level = consensus.planned_level = exemplary  # its rationale is printed
        reagree(consensus)
    prompts = [key for key, _ in reports.NARRATIVE_PROMPTS]
    ReturnNarrative.objects.create(
        round=round_,
        **{
            key: worst_text(f"P{n}", *limits(ReturnNarrative, key)) for n, key in enumerate(prompts)
        },
    )

    started = time.process_time()
    pdf = reports.html_to_pdf(reports.return_html(reports.return_data(round_)))
    cpu_seconds = time.process_time() - started

    print(f"\nThe worst permitted return: {len(pdf_reader(pdf).pages)} pages, {cpu_seconds:.1f} s")
    assert cpu_seconds < settings.DOCUMENT_TIMEOUT_SECONDS  # as for the record, above
    printed = set(re.findall(r"\w+", pdf_words(pdf)))
    expected = set()
    tags = [(f"P{n}", limits(ReturnNarrative, key)[1]) for n, key in enumerate(prompts)]
    for code in Consensus.objects.filter(round=round_).values_list("change__code", flat=True):
        tags += [(f"F{n}C{code}", limits(Consensus, field)[1]) for n, field in enumerate(fields)]
    for tag, lines in tags:
        expected |= {f"{tag}L{n:02d}" for n in range(1, lines)} | {f"{tag}END"}
    missing = sorted(expected - printed)
    assert not missing, f"{len(missing)} markers missing, such as {missing[:5]}"
