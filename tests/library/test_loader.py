"""The loader reads a framework's introduction, principles, advice on measuring success,
whether it rates enablers, and each change's kind; every problem of a file is named at once."""

import io
import textwrap

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Change, Framework
from tests.library.helpers import EARLIER_YAML, EXAMPLE_YAML

pytestmark = pytest.mark.usefixtures("empty_framework_library")

FILE = """
    key: fielded-model
    version: {version}
    title: Fielded model
    short_title: Fielded
    publisher: Test publisher
    year: 2026
    {framework}
    groups:
      - {{code: E, kind: enabler, title: Enabling}}
    changes:
      - code: "1"
        title: A change
      - code: E1
        {change}
        title: An enabler
        groups: [E]
"""


def load_text(tmp_path, *, version=1, framework="", change="kind: enabler") -> str:
    path = tmp_path / "fielded.yaml"
    text = textwrap.dedent(FILE).format(version=version, framework=framework, change=change)
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("load_frameworks", str(path), stdout=out)
    return out.getvalue()


def test_the_framework_fields_and_the_kind_of_a_change_are_loaded(tmp_path):
    load_text(
        tmp_path,
        framework=(
            "introduction: Our words.\nrate_enablers: true\n"
            "measuring_success: Count the days.\n"
            "principles: [{title: Together, text: We agree together.}]"
        ),
    )
    framework = Framework.objects.get(key="fielded-model")
    assert framework.introduction == "Our words."
    assert framework.measuring_success == "Count the days."
    assert framework.principles == [{"title": "Together", "text": "We agree together."}]
    assert framework.rate_enablers is True
    assert framework.changes.get(code="1").kind == Change.Kind.CHANGE
    assert framework.changes.get(code="E1").kind == Change.Kind.ENABLER


def test_a_later_version_without_the_wording_keeps_it_and_rate_enablers_defaults_to_false(
    tmp_path,
):
    load_text(tmp_path, framework="introduction: Our words.\nrate_enablers: true")
    load_text(tmp_path, version=2)
    framework = Framework.objects.get(key="fielded-model")
    assert framework.introduction == "Our words."
    assert framework.rate_enablers is False


@pytest.mark.parametrize(
    ("framework", "change", "message"),
    [
        (
            "rate_enablers: often",
            "kind: enabler",
            "fielded.yaml: rate_enablers: must be true or false",
        ),
        ("principles: [{title: Alone}]", "kind: enabler", "principles[0].text: is required"),
        ("principles: Together", "kind: enabler", "principles: must be a list of principles"),
        ("introduction: [a, b]", "kind: enabler", "introduction: must be non-empty text"),
        ("", "kind: helper", "changes[1].kind: must be one of change, enabler"),
        ("introducton: Typo", "kind: enabler", "(top level): has unknown keys: introducton"),
    ],
)
def test_a_bad_field_refuses_the_file_naming_the_key(tmp_path, framework, change, message):
    with pytest.raises(CommandError) as refused:
        load_text(tmp_path, framework=framework, change=change)
    assert message in str(refused.value)
    assert not Framework.objects.exists()


def test_an_enabler_must_belong_to_an_enabler_group(tmp_path):
    path = tmp_path / "enablers.yaml"
    path.write_text(
        "key: enablers\nversion: 1\ntitle: T\nshort_title: S\npublisher: P\nyear: 2020\n"
        "groups: [{code: G, kind: goal, title: A goal}]\n"
        "changes: [{code: E1, kind: enabler, title: An enabler, groups: [G]}]\n"
    )
    with pytest.raises(CommandError, match=r"changes\[0\]\.groups: an enabler must belong"):
        call_command("load_frameworks", str(path), stdout=io.StringIO())


def test_every_problem_of_a_file_is_named_not_just_the_first(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        "key: Bad Key\nversion: 0\ntitle: T\nshort_title: S\npublisher: P\nyear: 2020\n"
        "changes: []\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("load_frameworks", str(path), stdout=io.StringIO())
    message = str(refused.value)
    assert "broken.yaml: key: must be lowercase letters" in message
    assert "broken.yaml: version: must be a whole number" in message
    assert "broken.yaml: changes: must list at least one change" in message


def test_the_examples_load_and_record_a_wording_version():
    out = io.StringIO()
    call_command("load_frameworks", str(EARLIER_YAML), str(EXAMPLE_YAML), stdout=out)
    assert "loaded example-discharge version 1" in out.getvalue()
    framework = Framework.objects.get(key="example-discharge")
    assert framework.predecessor.key == "example-earlier"
    assert framework.versions.count() == 1
    assert framework.versions.get().source == "example-discharge.yaml"
