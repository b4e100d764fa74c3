"""load_frameworks: idempotent, versioned, all or nothing, with clear messages."""

import io
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Change, ChangeAction, Crosswalk, Descriptor, Framework, Level

# Every test loads into a database without frameworks, whatever the suite loaded for others.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_framework_library")]


def load(*paths) -> str:
    out = io.StringIO()
    call_command("load_frameworks", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


MINIMAL = """
    key: demo-model
    version: {version}
    title: Demo model
    short_title: Demo
    publisher: Test publisher
    year: 2024
    changes:
      - code: "1"
        title: First change
        summary: "{summary}"
        actions:
          - code: D1
            title: Do the first thing
            points: ["one way", "another way"]
      {extra}
"""


def minimal(version: int, summary: str = "About the first change", extra: str = "") -> str:
    return MINIMAL.format(version=version, summary=summary, extra=extra)


def test_the_shipped_frameworks_load_with_their_changes_levels_and_crosswalk():
    output = load()
    assert "loaded mtoc-2020 version 2" in output
    counts = {f.key: f.changes.count() for f in Framework.objects.all()}
    assert counts == {"mtoc-2017": 8, "mtoc-2020": 9, "ohc-2025": 2, "rpa-2021": 5}
    mtoc = Framework.objects.get(key="mtoc-2020")
    assert list(mtoc.levels.values_list("number", "name")) == [
        (1, "Not yet established"),
        (2, "Plans in place"),
        (3, "Established"),
        (4, "Mature"),
        (5, "Exemplary"),
    ]
    assert mtoc.predecessor.key == "mtoc-2017"
    walk = {
        (c.from_change.code, c.to_change.code)
        for c in Crosswalk.objects.select_related("from_change", "to_change")
    }
    assert walk == {(str(n), str(n)) for n in range(1, 9)}
    assert Framework.objects.get(key="ohc-2025").complete is False
    assert ChangeAction.objects.filter(change__code="F").count() == 5
    rpa = Framework.objects.get(key="rpa-2021")
    assert set(rpa.groups.values_list("kind", flat=True)) == {"goal"}
    assert rpa.changes.get(code="3").groups.count() == 2


def test_loading_twice_changes_nothing_and_says_so():
    load()
    before = {
        "changes": list(Change.objects.order_by("pk").values()),
        "levels": Level.objects.count(),
        "actions": ChangeAction.objects.count(),
        "crosswalk": Crosswalk.objects.count(),
    }
    output = load()
    assert output.count("nothing changed") == 4
    after = {
        "changes": list(Change.objects.order_by("pk").values()),
        "levels": Level.objects.count(),
        "actions": ChangeAction.objects.count(),
        "crosswalk": Crosswalk.objects.count(),
    }
    assert after == before


def test_a_higher_version_updates_in_place_and_archives_what_it_drops(tmp_path):
    first = write(
        tmp_path,
        "demo.yaml",
        minimal(1, extra='- code: "2"\n        title: Second change'),
    )
    load(first)
    framework = Framework.objects.get(key="demo-model")
    second_change = framework.changes.get(code="2")
    Descriptor.objects.create(
        change=second_change, level=framework.levels.get(number=3), text="Imported wording"
    )

    write(tmp_path, "demo.yaml", minimal(2, summary="Better words"))
    output = load(first)

    assert "updated demo-model from version 1 to 2" in output
    framework.refresh_from_db()
    assert framework.version == 2
    assert framework.changes.get(code="1").summary == "Better words"
    second_change.refresh_from_db()
    assert second_change.archived is True, "dropped changes are archived, not deleted"
    assert second_change.descriptors.count() == 1


def test_a_lower_version_changes_nothing_and_says_so(tmp_path):
    path = write(tmp_path, "demo.yaml", minimal(3, summary="Version three"))
    load(path)
    write(tmp_path, "demo.yaml", minimal(2, summary="Version two"))
    output = load(path)
    assert "version 2 is older than the loaded version 3" in output
    assert Change.objects.get(framework__key="demo-model", code="1").summary == "Version three"


def test_an_update_keeps_wording_an_administrator_imported_when_the_file_has_none(tmp_path):
    path = write(tmp_path, "demo.yaml", minimal(1))
    load(path)
    Change.objects.filter(code="1").update(i_statement="I get home on time")
    write(tmp_path, "demo.yaml", minimal(2))
    load(path)
    assert Change.objects.get(code="1").i_statement == "I get home on time"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("key: x\n", "title: is required"),
        (minimal(1).replace("title: First change", "title: ''"), "changes[0].title"),
        (minimal(1).replace("version: 1", "version: one"), "version: must be a whole number"),
        (
            minimal(1).replace("code: D1", "code: D1\n            group: nowhere"),
            "actions[0].group",
        ),
        ("key: [unclosed\n", "is not valid YAML"),
        (
            minimal(1) + "    crosswalk:\n      from: nope\n      changes: {'1': '7'}\n",
            "crosswalk.changes.1",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_the_file_and_the_key(tmp_path, text, where):
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(CommandError) as error:
        load(path)
    message = str(error.value)
    assert message.startswith("Nothing was loaded. broken.yaml:")
    assert where in message


def test_one_bad_file_means_nothing_is_loaded_from_any_file(tmp_path):
    good = write(tmp_path, "a-good.yaml", minimal(1))
    bad = write(
        tmp_path,
        "b-bad.yaml",
        minimal(1).replace("demo-model", "other-model").replace("year: 2024", "year: -3"),
    )
    with pytest.raises(CommandError, match="b-bad.yaml: year"):
        load(good, bad)
    assert not Framework.objects.exists()


def test_a_crosswalk_to_an_unloaded_framework_rolls_everything_back(tmp_path):
    good = write(tmp_path, "a.yaml", minimal(1))
    crossing = minimal(1).replace("demo-model", "demo-next") + (
        "    crosswalk:\n      from: not-loaded\n      changes: {'1': '1'}\n"
    )
    second = write(tmp_path, "b.yaml", crossing)
    with pytest.raises(CommandError, match="b.yaml: crosswalk.from"):
        load(good, second)
    assert not Framework.objects.exists()


def test_a_dry_run_checks_and_writes_nothing():
    out = io.StringIO()
    call_command("load_frameworks", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Framework.objects.exists()


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        load(tmp_path / "missing.yaml")
