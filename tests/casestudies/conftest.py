"""Fixtures for the practice library's tests.

- `library`: the shipped frameworks and the shipped case studies, loaded by their commands.
- `make_case_study(...)`: one case study, published unless told otherwise, linked to changes
  named as ("framework key", "code") pairs.

`change_id(...)` is in helpers.py.
"""

import itertools

import pytest
from django.core.management import call_command

from assessments.models import Change, Level
from casestudies.models import CaseStudy

_numbers = itertools.count(1)


@pytest.fixture
def library(frameworks):
    call_command("load_casestudies", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return frameworks


@pytest.fixture
def make_case_study(frameworks):
    def _make(
        *,
        title: str | None = None,
        changes=(("mtoc-2017", "6"),),
        level: tuple[str, int] | None = None,
        status: str = CaseStudy.Status.PUBLISHED,
        summary: str = "A short account of the work.",
        **fields,
    ) -> CaseStudy:
        number = next(_numbers)
        title = title or f"Case study {number}"
        case_study = CaseStudy.objects.create(
            slug=fields.pop("slug", f"case-study-{number}"),
            title=title,
            place=fields.pop("place", "Testshire"),
            summary=summary,
            what_they_did=fields.pop("what_they_did", "They did the work."),
            outcomes=fields.pop("outcomes", "Things got better."),
            status=status,
            level=Level.objects.get(framework__key=level[0], number=level[1]) if level else None,
            **fields,
        )
        case_study.changes.set(
            [Change.objects.get(framework__key=key, code=code) for key, code in changes]
        )
        return case_study

    return _make
