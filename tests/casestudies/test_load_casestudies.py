"""`manage.py load_casestudies`: the shipped examples; idempotent by slug; all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from casestudies.models import CaseStudy
from tests.casestudies.helpers import change_id

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "casestudies" / "casestudies.yaml"

GOOD = """
  - slug: good-one
    title: "A good one"
    place: "Testshire"
    changes: {mtoc-2017: ["6"]}
    level: {framework: mtoc-2017, number: 3}
    summary: "Fine."
    what_they_did: "Fine."
    outcomes: "Fine."
    status: published
"""


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_casestudies", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, body: str, name: str = "studies.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def entry(**changes) -> str:
    """GOOD with some lines replaced: entry(slug="x") or entry(level="level: ...")."""
    text = GOOD.replace("good-one", changes.pop("slug", "good-one"))
    for key, line in changes.items():
        lines = [
            f"    {line}" if row.strip().startswith(f"{key}:") else row for row in text.splitlines()
        ]
        text = "\n".join(lines) + "\n"
    return text


def test_the_shipped_case_studies_load_published_and_linked(frameworks):
    output = load()
    assert "7 created" in output
    studies = {study.slug: study for study in CaseStudy.objects.all()}
    assert len(studies) >= 6
    assert all(study.is_published for study in studies.values())

    def links(slug: str) -> set[tuple[str, str]]:
        return {(c.framework.key, c.code) for c in studies[slug].changes.all()}

    assert links("llr-trusted-assessors-care-homes") == {("mtoc-2017", "6"), ("mtoc-2020", "8")}
    assert links("hinckley-reablement-try-its") == {("mtoc-2017", "4")}
    assert links("llr-care-home-bed-tracker") == {("mtoc-2017", "2"), ("mtoc-2020", "8")}
    assert links("llr-red-bag-scheme") >= {("mtoc-2017", "8")}
    assert links("ohc-stand-back-trials") == {("ohc-2025", "F")}
    assert links("ohc-joint-ot-social-work-assessments") == {("ohc-2025", "F"), ("ohc-2025", "A")}
    assert (
        "Average reablement episode: about 23 → about 15 days"
        in studies["hinckley-reablement-try-its"].figures
    )
    assert studies["llr-discharge-group-and-link-workers"].level.number == 4


def test_the_shipped_case_studies_show_beside_both_editions_of_a_change(library):
    from casestudies.selectors import case_studies_for_changes

    result = case_studies_for_changes([change_id("mtoc-2020", "6"), change_id("mtoc-2020", "4")])
    assert [s.slug for s in result[change_id("mtoc-2020", "6")]] == [
        "llr-trusted-assessors-care-homes"
    ]
    assert [s.slug for s in result[change_id("mtoc-2020", "4")]] == ["hinckley-reablement-try-its"]


def test_loading_again_changes_nothing(frameworks):
    load()
    history = sum(study.history.count() for study in CaseStudy.objects.all())
    output = load()
    assert "0 created, 0 updated, 7 already loaded" in output
    assert CaseStudy.objects.count() == 7
    assert sum(study.history.count() for study in CaseStudy.objects.all()) == history


def test_loading_again_keeps_an_administrators_edits_unless_asked_to_update(frameworks):
    load()
    CaseStudy.objects.filter(slug="llr-red-bag-scheme").update(title="Edited", status="draft")
    load()
    assert CaseStudy.objects.get(slug="llr-red-bag-scheme").title == "Edited"
    assert "0 created, 7 updated" in load("--update")
    study = CaseStudy.objects.get(slug="llr-red-bag-scheme")
    assert study.title.startswith("The red bag") and study.is_published


def test_a_dry_run_checks_and_writes_nothing(frameworks):
    output = load("--dry-run")
    assert "7 created" in output and "Dry run: nothing was written." in output
    assert not CaseStudy.objects.exists()


def test_one_bad_entry_refuses_the_whole_file(frameworks, tmp_path):
    path = write(
        tmp_path,
        "case_studies:" + GOOD + entry(slug="bad-one", changes='changes: {mtoc-2017: ["99"]}'),
    )
    with pytest.raises(CommandError) as raised:
        load(str(path))
    assert str(raised.value) == (
        "Nothing was loaded. studies.yaml: case_studies[1] (bad-one).changes.mtoc-2017: "
        "mtoc-2017 has no change '99'"
    )
    assert not CaseStudy.objects.exists()


def test_one_bad_file_refuses_every_file(frameworks, tmp_path):
    write(tmp_path, "case_studies:" + GOOD, "a.yaml")
    write(tmp_path, "case_studies:" + entry(slug="b-one", status="status: maybe"), "b.yaml")
    with pytest.raises(CommandError, match=r"b\.yaml: case_studies\[0\] \(b-one\)\.status"):
        load(str(tmp_path))
    assert not CaseStudy.objects.exists()


def test_a_refused_update_leaves_the_loaded_case_studies_as_they_were(frameworks, tmp_path):
    load(str(write(tmp_path, "case_studies:" + GOOD)))
    bad = (
        "case_studies:"
        + GOOD.replace('"A good one"', '"Renamed"')
        + entry(slug="bad-one", level="level: {framework: ohc-2025, number: 3}")
    )
    with pytest.raises(CommandError):
        load("--update", str(write(tmp_path, bad)))
    assert CaseStudy.objects.get().title == "A good one"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("case_studies: [", "studies.yaml: line 1: is not valid YAML"),
        ("studies: []", "studies.yaml: case_studies: must be a list of case studies"),
        (
            "case_studies:" + entry(changes='changes: {mtoc-1999: ["1"]}'),
            "(good-one).changes.mtoc-1999: framework 'mtoc-1999' is not loaded: "
            "run load_frameworks first",
        ),
        (
            "case_studies:" + entry(level="level: {framework: ohc-2025, number: 3}"),
            "(good-one).level: Select a level of the same framework as the changes you chose",
        ),
        (
            "case_studies:" + entry(level="level: {framework: mtoc-2017, number: 9}"),
            "(good-one).level: mtoc-2017 has no level 9",
        ),
        (
            "case_studies:" + entry(status='source_url: "ftp://example.org/x"'),
            "(good-one).source_url: Enter a web address that starts with http:// or https://",
        ),
        (
            "case_studies:" + entry(slug="new"),
            "(new).slug: The web address 'new' is taken by a page",
        ),
        ("case_studies:" + entry(title="colour: blue"), "(good-one).colour: is not a known key"),
        ("case_studies:" + entry(summary='summary: ""'), "(good-one).summary: is required"),
        (
            "case_studies:" + GOOD + GOOD,
            "case_studies[1] (good-one).slug: 'good-one' is also the slug",
        ),
        (
            "case_studies:" + entry(status="figures: [" + ", ".join(['"x"'] * 9) + "]"),
            "(good-one).figures: Give at most 8 figures",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_message_naming_the_file_and_key(
    frameworks, tmp_path, body, message
):
    path = write(tmp_path, body)
    with pytest.raises(CommandError) as raised:
        load(str(path))
    assert message in str(raised.value)
    assert str(raised.value).startswith("Nothing was loaded. studies.yaml: ")
    assert not CaseStudy.objects.exists()


def test_without_the_frameworks_loaded_it_says_what_to_run_first(empty_framework_library):
    with pytest.raises(CommandError, match="is not loaded: run load_frameworks first"):
        load()


def test_a_missing_path_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        load(str(tmp_path / "nope.yaml"))


def test_the_shipped_file_is_where_the_command_looks_by_default():
    assert SHIPPED.is_file()
