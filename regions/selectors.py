"""Where systems stand across a region or the nation: each system's latest agreed levels on a
framework, and the counts per change built from them.

Only agreed rounds are read (rounds recorded afterwards are agreed rounds), whoever asks: the
callers pass the systems the person may see. The reads are a fixed few, whatever the number of
systems or rounds: the agreed rounds in one query, their agreed levels in one, the crosswalk in
one, and the framework's cached content; everything else is worked out here.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Length, RowNumber
from django.urls import reverse
from django.utils import timezone

from assessments.framework_content import FrameworkContent, content_of
from assessments.models import Consensus, Framework, Level, Region, Round, System
from assessments.models.rounds import visible_rounds_q
from assessments.review_selectors import crosswalk_back
from assessments.rules import is_site_administrator, roles_of
from assessments.statistics import established_level
from hicm_portal.words import govuk_date, start_of_day
from improvement_plans.models import Action, IssuedReturn


# Plain slotted classes, not frozen ones: a national page builds a few thousand of them, and a
# frozen dataclass's __init__ costs three times as much.
@dataclass(slots=True)
class AgreedLevel:
    system_id: int
    change_code: str  # the change's code in the framework asked for
    number: int  # the level's number
    name: str  # the level's name
    previous_number: int | None  # the system's previous agreed round's level (trend arrow)
    round_name: str
    agreed_on: date
    recorded_afterwards: bool


@dataclass(frozen=True)
class ChangeSummary:
    code: str
    title: str
    counts: dict[int, int]  # level number -> how many systems are at it
    established_or_better: int
    median: float | None
    systems: int  # systems with an agreed or recorded level for it
    previous_established_or_better: int | None  # the same at the previous period


@dataclass(frozen=True)
class _AgreedRound:
    pk: int
    system_id: int
    name: str
    agreed_on: date
    recorded_afterwards: bool


def _agreed_order(row: tuple) -> tuple:
    """Oldest first: by when agreed, then closing date, then id."""
    return row[3], row[5], row[0]


def _frameworks_reached(
    content: FrameworkContent, framework_id: int, *, crosswalk: bool
) -> tuple[set[int], dict]:
    """The frameworks whose agreed rounds count for the framework of `content` (itself; with
    `crosswalk`, also the earlier editions its crosswalk reaches back to), and each change id
    of those frameworks -> the code of its change in that framework."""
    code_of = {change.pk: change.code for change in content.live_changes}
    frameworks = {framework_id}
    if crosswalk:
        earlier, editions = crosswalk_back(list(code_of))
        code_of.update({before: code_of[after] for before, after in earlier.items()})
        frameworks |= editions
    return frameworks, code_of


def agreed_rounds(
    *, frameworks: set[int], systems: QuerySet | None, as_of: date | None, period: str | None
) -> tuple[dict[int, _AgreedRound], dict[int, int]]:
    """Per system: the agreed round counted (the latest agreed on or before `as_of`, or the one
    named `period`) and the id of the agreed round before it. One query."""
    rounds = Round.objects.filter(
        status=Round.Status.AGREED, framework__in=frameworks, agreed_at__isnull=False
    )
    if systems is not None:
        rounds = rounds.filter(system__in=systems)
    if not period:
        # Agreed before the next day began, in the portal's time zone: a plain comparison the
        # (system, status) index serves, not a date function on every row.
        day_after = (as_of or timezone.localdate()) + timedelta(days=1)
        rounds = rounds.filter(agreed_at__lt=start_of_day(day_after))
        # Only each system's newest two are needed (the one counted and the one before it):
        # numbered per system in the database, so a system's older rounds are never read.
        rounds = rounds.alias(
            newest=Window(
                RowNumber(),
                partition_by=F("system_id"),
                order_by=[F("agreed_at").desc(), F("closes_on").desc(), F("pk").desc()],
            )
        ).filter(newest__lte=2)
    # Tuples, put in order here (a few per system) rather than by the database, and the date
    # worked out only for the rounds kept.
    by_system: dict[int, list[tuple]] = defaultdict(list)
    for row in rounds.order_by().values_list(
        "pk", "system_id", "name", "agreed_at", "recorded_afterwards", "closes_on"
    ):
        by_system[row[1]].append(row)

    zone = timezone.get_current_timezone()  # once: asking for it per row costs more than the row

    def kept(row: tuple) -> _AgreedRound:
        pk, system_id, name, agreed_at, recorded, _closes_on = row
        return _AgreedRound(pk, system_id, name, agreed_at.astimezone(zone).date(), recorded)

    counted: dict[int, _AgreedRound] = {}
    previous: dict[int, int] = {}
    for system_id, chain in by_system.items():
        chain.sort(key=_agreed_order)
        if period:
            at = next((i for i, row in enumerate(chain) if row[2] == period), None)
        else:
            at = len(chain) - 1
        if at is None:
            continue
        counted[system_id] = kept(chain[at])
        if at > 0:
            previous[system_id] = chain[at - 1][0]
    return counted, previous


def _agreed_numbers(
    round_ids: set[int], code_of: dict[int, str], content: FrameworkContent, earlier: set[int]
) -> dict[int, dict[str, tuple]]:
    """Round id -> change code (in the framework of `content`) -> (level number, level name).
    One query, and one more for the levels of the `earlier` editions the crosswalk reaches: the
    levels are taken by id from the framework's cached content, not joined to every row. A
    level of an earlier edition keeps its number and takes the name the framework gives that
    number. A change that two earlier changes were merged into takes the lower level."""
    scale = {level.pk: (level.number, level.name) for level in content.levels}
    if earlier:
        names = dict(scale.values())  # number -> name
        scale.update(
            (pk, (number, names.get(number, name)))
            for pk, number, name in Level.objects.filter(framework__in=earlier).values_list(
                "pk", "number", "name"
            )
        )
    found: dict[int, dict[str, tuple]] = defaultdict(dict)
    # By round alone, the changes counted picked out here: the database then reads each
    # round's rows in one stretch of its index instead of looking up every change of it.
    for round_id, change_id, level_id in (
        Consensus.objects.filter(round__in=round_ids)
        .order_by()  # any order: the lower of two levels is kept whatever comes first
        .values_list("round_id", "change_id", "level_id")
    ):
        code = code_of.get(change_id)
        if code is None:  # an enabler not rated here, or a change the crosswalk leaves behind
            continue
        level = scale[level_id]
        held = found[round_id].get(code)
        if held is None or level[0] < held[0]:
            found[round_id][code] = level
    return found


def latest_levels(
    *,
    framework: Framework,
    systems: QuerySet | None = None,
    as_of: date | None = None,
    period: str | None = None,
    crosswalk: bool = False,
) -> dict[int, dict[str, AgreedLevel]]:
    """system id -> change code -> its level in the system's latest agreed round on
    `framework` (with crosswalk=True, also on earlier frameworks joined by the crosswalk,
    carried to this framework's changes) agreed on or before `as_of` (default: today), or in
    the round named `period`. `systems` a System queryset (None: every system).

    A level carried over the crosswalk keeps its number and takes the name this framework
    gives that number. `previous_number` is the level in the system's agreed round before the
    one counted (on the same frameworks), for the trend."""
    return _latest_levels(
        content_of(framework),
        framework.pk,
        systems=systems,
        as_of=as_of,
        period=period,
        crosswalk=crosswalk,
    )


def _latest_levels(
    content: FrameworkContent,
    framework_id: int,
    *,
    systems: QuerySet | None,
    as_of: date | None,
    period: str | None,
    crosswalk: bool,
) -> dict[int, dict[str, AgreedLevel]]:
    frameworks, code_of = _frameworks_reached(content, framework_id, crosswalk=crosswalk)
    counted, previous = agreed_rounds(
        frameworks=frameworks, systems=systems, as_of=as_of, period=period
    )
    if not counted:
        return {}
    numbers = _agreed_numbers(
        {r.pk for r in counted.values()} | set(previous.values()),
        code_of,
        content,
        frameworks - {framework_id},
    )
    result: dict[int, dict[str, AgreedLevel]] = {}
    for system_id, round_ in counted.items():
        before = numbers.get(previous.get(system_id), {})
        name_, agreed_on, recorded = round_.name, round_.agreed_on, round_.recorded_afterwards
        levels = {}
        for code, (number, name) in numbers.get(round_.pk, {}).items():
            held = before.get(code)
            # In the order of AgreedLevel's fields (a few thousand on a national page).
            levels[code] = AgreedLevel(
                system_id,
                code,
                number,
                name,
                held[0] if held else None,
                name_,
                agreed_on,
                recorded,
            )
        if levels:
            result[system_id] = levels
    return result


def summarise(
    framework: Framework, levels: dict[int, dict[str, AgreedLevel]]
) -> list[ChangeSummary]:
    """The counts per change of `latest_levels`' answer, in the framework's order."""
    return _summarise(content_of(framework), levels)


def _summarise(
    content: FrameworkContent, levels: dict[int, dict[str, AgreedLevel]]
) -> list[ChangeSummary]:
    scale = {level.number: level.name for level in content.levels}
    reference = established_level(scale)
    # Each change's levels, gathered in one pass over the systems.
    by_change: dict[str, list[AgreedLevel]] = defaultdict(list)
    for held in levels.values():
        for code, level in held.items():
            by_change[code].append(level)
    summaries = []
    for change in content.live_changes:
        at = by_change.get(change.code, [])
        numbers = [level.number for level in at]
        counts = dict.fromkeys(scale, 0)
        for number in numbers:
            counts[number] = counts.get(number, 0) + 1
        before = [level.previous_number for level in at if level.previous_number is not None]
        summaries.append(
            ChangeSummary(
                code=change.code,
                title=change.title,
                counts=counts,
                established_or_better=sum(1 for number in numbers if number >= reference),
                median=float(statistics.median(numbers)) if numbers else None,
                systems=len(numbers),
                previous_established_or_better=(
                    sum(1 for number in before if number >= reference) if before else None
                ),
            )
        )
    return summaries


def levels_summary(
    *,
    framework: Framework,
    systems: QuerySet | None = None,
    as_of: date | None = None,
    period: str | None = None,
    crosswalk: bool = False,
) -> list[ChangeSummary]:
    """Per change of `framework`, in its order: how many systems are at each level in their
    latest agreed round (as `latest_levels` reads it), how many at Established or better
    (`established_level`), the median level of those with a level, and the Established or
    better count over each system's previous agreed round before the one counted."""
    levels = latest_levels(
        framework=framework, systems=systems, as_of=as_of, period=period, crosswalk=crosswalk
    )
    return summarise(framework, levels)


# ---------------------------------------------------------------------------
# The pages: which systems a person reads, and where each stands.

# An approval waiting longer than this many days is overdue on the region page.
APPROVAL_WAITING_DAYS = 14


def systems_read(user, region: Region | None = None) -> QuerySet[System]:
    """The systems whose agreed rounds a person reads on the region and national pages: those
    they see (`System.objects.visible_to`: a regional viewer their region's, a national viewer
    every one), or every system for a site administrator. Within `region` if given."""
    if is_site_administrator(user):
        systems = System.objects.all()
    else:
        systems = System.objects.visible_to(user)
    if region is not None:
        systems = systems.filter(region=region)
    return systems.order_by("name")


def current_rounds(system_ids: list[int]) -> tuple[dict[int, Round], dict[int, Round]]:
    """Per system: its current round (the latest opened, not a draft or cancelled) and its
    last agreed round (agreed last, or made last when recorded without a date). One query,
    reading only those two rounds of each system: the database numbers each system's rounds
    both ways. Drafts are their facilitators' own, so never shown."""
    agreed = Q(status=Round.Status.AGREED)
    rounds = (
        Round.objects.filter(system__in=system_ids)
        .exclude(status__in=[Round.Status.DRAFT, Round.Status.CANCELLED])
        .annotate(
            newest_opened=Window(
                RowNumber(),
                partition_by=F("system_id"),
                order_by=[F("opens_on").desc(), F("created_at").desc(), F("pk").desc()],
            ),
            # Agreed rounds are numbered after the others, so 1 is the last agreed if any.
            newest_agreed=Window(
                RowNumber(),
                partition_by=F("system_id"),
                order_by=[
                    Case(When(agreed, then=0), default=1).asc(),
                    Coalesce("agreed_at", "created_at").desc(),
                    F("pk").desc(),
                ],
            ),
        )
        .filter(Q(newest_opened=1) | Q(agreed, newest_agreed=1))
        .only(
            "public_id",
            "system_id",
            "name",
            "status",
            "opens_on",
            "closes_on",
            "agreed_at",
            "submitted_for_approval_at",
            "recorded_afterwards",
            "created_at",
        )
        .order_by()
    )
    current: dict[int, Round] = {}
    last_agreed: dict[int, Round] = {}
    for round_ in rounds:
        if round_.newest_opened == 1:
            current[round_.system_id] = round_
        if round_.is_agreed and round_.newest_agreed == 1:
            last_agreed[round_.system_id] = round_
    return current, last_agreed


@dataclass
class RegionRow:
    """A system's row of the region page, in the words its cells show ("" for none)."""

    system: System
    current: str = ""  # its current round and state: "2025/26: Rating"
    closes_on: str = ""  # the date the current round closes, while it is rating
    agreed: str = ""  # its last agreed round: "2024/25, agreed 27 March 2025"
    recorded_afterwards: bool = False  # the last agreed round was recorded afterwards
    issued_version: int | None = None
    issued_on: str = ""
    issued_url: str = ""  # the issued return's PDF, when the person may open it
    overdue: list[str] = field(default_factory=list)


def approval_overdue(round_: Round, today: date) -> bool:
    """A round waiting for approval for longer than APPROVAL_WAITING_DAYS."""
    return (
        round_.status == Round.Status.APPROVAL
        and round_.submitted_for_approval_at is not None
        and (today - timezone.localdate(round_.submitted_for_approval_at)).days
        > APPROVAL_WAITING_DAYS
    )


def latest_issued_returns(system_ids, user=None) -> dict[int, dict]:
    """Each system's latest issued return, the one issued last, of its agreed rounds (the
    region page lists it and the region's zip holds its PDF): system id -> its values, in one
    query whatever the number of systems and rounds. `pdf_size` is 0 while the worker has not
    yet built the PDF. With `user`, `openable` says whether that person may open it (the one
    rule of who sees a round, `visible_rounds_q`, asked in the same query)."""
    columns = {"pdf_size": Length("pdf")}
    if user is not None:
        columns["openable"] = Case(
            When(visible_rounds_q(user, via="round__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    latest: dict[int, dict] = {}
    for row in (
        IssuedReturn.objects.filter(round__system__in=system_ids, round__status=Round.Status.AGREED)
        .order_by("round__system_id", "-issued_at", "-version")
        .values(
            "pk",
            "public_id",
            "version",
            "issued_at",
            "round__system_id",
            "round__name",
            "round__recorded_afterwards",
            **columns,
        )
    ):
        latest.setdefault(row["round__system_id"], row)
    return latest


def region_rows(user, systems: QuerySet[System]) -> list[RegionRow]:
    """Every system with its current round and state, its last agreed round and date, its
    latest issued return, and what is overdue: one query per kind, whatever the number of
    systems (the systems with their overdue actions counted, their rounds, and their latest
    issued returns with which of those the person may open)."""
    today = timezone.localdate()
    late_actions = (
        Action.objects.filter(
            system=OuterRef("pk"), status__in=Action.OPEN_STATUSES, due_date__lt=today
        )
        .order_by()
        .values("system")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # None where a system has no overdue action.
    systems = list(systems.annotate(late_actions=Subquery(late_actions)))
    ids = [system.pk for system in systems]
    current, agreed = current_rounds(ids)
    issued = latest_issued_returns(ids, user)
    rows = []
    for system in systems:
        round_ = current.get(system.pk)
        last = agreed.get(system.pk)
        row = RegionRow(system=system)
        if round_ is not None:
            row.current = f"{round_.name}: {round_.get_status_display()}"
            if round_.is_rating:
                row.closes_on = govuk_date(round_.closes_on)
        if last is not None:
            agreed_on = govuk_date(timezone.localdate(last.agreed_at)) if last.agreed_at else ""
            row.agreed = f"{last.name}, agreed {agreed_on}"
            row.recorded_afterwards = last.recorded_afterwards
        latest = issued.get(system.pk)
        if latest:
            row.issued_version = latest["version"]
            row.issued_on = govuk_date(timezone.localdate(latest["issued_at"]))
            if latest["openable"]:
                row.issued_url = reverse("issued_return_file", args=[latest["public_id"], "pdf"])
        if round_ is not None and round_.is_overdue:
            row.overdue.append(f"{round_.name} closed on {govuk_date(round_.closes_on)}")
        if round_ is not None and approval_overdue(round_, today):
            row.overdue.append(
                f"{round_.name} has waited for approval since "
                f"{govuk_date(round_.submitted_for_approval_at)}"
            )
        if system.late_actions:
            n = system.late_actions
            row.overdue.append(f"{n} overdue action{'s' if n != 1 else ''} in its plan")
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# The levels map and the summaries, as the pages and downloads show them.


@dataclass(frozen=True)
class FilterChoices:
    frameworks: list[Framework]
    default: Framework | None  # the framework of most agreed rounds, else the newest
    periods: list[str]  # the names of the agreed rounds, newest first


def filter_choices(systems: QuerySet[System]) -> FilterChoices:
    """What the filters offer for these systems: two queries. The default framework is the
    one most of their agreed rounds are on (the newest of those when tied)."""
    # Without the long texts of a framework's page: the filters name them and key the content.
    frameworks = list(
        Framework.objects.defer(
            "source_note", "introduction", "principles", "measuring_success"
        ).order_by("-year", "short_title")
    )
    used: dict[int, int] = defaultdict(int)
    periods: list[str] = []
    # Grouped in the database: a row per round name and framework, not per round.
    for name, framework_id, rounds in (
        Round.objects.filter(system__in=systems, status=Round.Status.AGREED)
        .values_list("name", "framework_id")
        .annotate(rounds=Count("pk"), newest=Max("agreed_at"))
        .order_by(F("newest").desc(nulls_last=True), "name")
        .values_list("name", "framework_id", "rounds")
    ):
        used[framework_id] += rounds
        if name not in periods:
            periods.append(name)
    default = max(frameworks, key=lambda f: used.get(f.pk, 0), default=None)
    return FilterChoices(frameworks, default, periods)


# The state filter's value for systems with no round yet.
NO_ROUND = "none"


def systems_in_state(systems: QuerySet[System], state: str) -> QuerySet[System]:
    """The systems whose current round (`current_rounds`) is in `state` ("none": no round yet;
    empty: every one). One query when a state is asked for."""
    if not state:
        return systems
    ids = list(systems.values_list("pk", flat=True))
    current, _ = current_rounds(ids)
    if state == NO_ROUND:
        chosen = [pk for pk in ids if pk not in current]
    else:
        chosen = [pk for pk, round_ in current.items() if round_.status == state]
    return systems.filter(pk__in=chosen)


TREND_ARROWS = {"up": "↑", "down": "↓", "same": "="}


@dataclass(slots=True)
class MapCell:
    level: AgreedLevel | None
    trend: str = ""  # "up", "down", "same", or "" with no previous level
    trend_words: str = ""  # "up from Plans in place"

    @property
    def arrow(self) -> str:
        return TREND_ARROWS.get(self.trend, "")


@dataclass(frozen=True)
class MapRow:
    system: System
    round_name: str
    agreed_on: date | None
    recorded_afterwards: bool
    cells: list[MapCell]


def _cell(level: AgreedLevel | None, names: dict[int, str]) -> MapCell:
    if level is None:
        return MapCell(None)
    before = level.previous_number
    if before is None:
        return MapCell(level)
    name = names.get(before, str(before))
    if level.number > before:
        return MapCell(level, "up", f"up from {name}")
    if level.number < before:
        return MapCell(level, "down", f"down from {name}")
    return MapCell(level, "same", f"the same as before, {name}")


def levels_map(systems: QuerySet[System], filters, *, rows: bool = True) -> dict:
    """The levels map: a row per system (every system asked for, with or without a level),
    a cell per change of the framework, and the summary of the same levels. With
    `rows=False` only the summary (the summary pages show no map): "rows" is then empty."""
    framework = filters.framework
    content = content_of(framework)
    chosen = systems_in_state(systems, filters.state)
    levels = _latest_levels(
        content,
        framework.pk,
        systems=chosen,
        as_of=filters.as_of,
        period=filters.period or None,
        crosswalk=filters.crosswalk,
    )
    names = {level.number: level.name for level in content.levels}
    changes = content.live_changes
    map_rows = []
    for system in chosen if rows else ():
        held = levels.get(system.pk, {})
        first = next(iter(held.values()), None)
        map_rows.append(
            MapRow(
                system=system,
                round_name=first.round_name if first else "",
                agreed_on=first.agreed_on if first else None,
                recorded_afterwards=first.recorded_afterwards if first else False,
                cells=[_cell(held.get(change.code), names) for change in changes],
            )
        )
    summary = _summarise(content, levels)
    return {
        "changes": changes,
        "levels": content.levels,
        "rows": map_rows,
        "summary": summary,
        # Each change's counts in the scale's order, as the tables show them.
        "summary_rows": [
            (row, [row.counts.get(level.number, 0) for level in content.levels]) for row in summary
        ],
        "reference": names.get(established_level(names)),
    }


def map_table(data: dict) -> tuple[list[str], list[list]]:
    """The levels map as a download: headers and a row per system."""
    headers = ["system", "round", "agreed_on", "recorded_afterwards"]
    for change in data["changes"]:
        headers += [f"{change.code}. {change.title}", f"{change.code} level number"]
    rows = []
    for row in data["rows"]:
        values = [row.system.name, row.round_name, row.agreed_on, row.recorded_afterwards]
        for cell in row.cells:
            values += [cell.level.name, cell.level.number] if cell.level else ["", None]
        rows.append(values)
    return headers, rows


def summary_table(
    framework: Framework, summaries: list[ChangeSummary], *, previous: bool = False
) -> tuple[list[str], list[list]]:
    """The per-change counts as `levels_summary` prints them: the columns `change`, `title`,
    one per level (by its name), `established_or_better`, `median`, `systems` (and, with
    `previous`, `previous_established_or_better`)."""
    scale = content_of(framework).levels
    headers = ["change", "title", *[level.name for level in scale]]
    headers += ["established_or_better", "median", "systems"]
    if previous:
        headers.append("previous_established_or_better")
    rows = []
    for summary in summaries:
        values = [summary.code, summary.title]
        values += [summary.counts.get(level.number, 0) for level in scale]
        values += [summary.established_or_better, summary.median, summary.systems]
        if previous:
            values.append(summary.previous_established_or_better)
        rows.append(values)
    return headers, rows


def region_counts() -> list[dict]:
    """Every region with how many systems it has, how many have an agreed round and how many
    have issued a return: one query."""
    agreed = Q(systems__rounds__status=Round.Status.AGREED)
    issued = Q(systems__rounds__issued_returns__isnull=False)
    return list(
        Region.objects.order_by("name")
        .annotate(
            system_count=Count("systems", distinct=True),
            agreed_count=Count("systems", filter=agreed, distinct=True),
            issued_count=Count("systems", filter=issued, distinct=True),
        )
        .values("name", "slug", "system_count", "agreed_count", "issued_count")
    )


def viewed_regions(user) -> list[Region]:
    """The regions a person views as a regional viewer, by name: one query, none without the
    role."""
    ids = roles_of(user).viewer_of_regions
    return list(Region.objects.filter(pk__in=ids).order_by("name")) if ids else []
