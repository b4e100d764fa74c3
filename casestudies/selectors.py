"""Read queries of the practice library, shaped for pages, each with a bounded number of queries.

A case study linked to a change also belongs beside the matching change of an earlier or later
version of that framework (2017 "Trusted assessors" and 2020 "Trusted assessment"), through the
crosswalk between editions, in both directions.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from assessments.models import Change, Crosswalk, Framework, Level, System
from casestudies.models import CaseStudy
from casestudies.rules import is_site_administrator, systems_facilitated_by

# More editions than any model has had; stops a malformed crosswalk from looping for ever.
CROSSWALK_MAX_HOPS = 10

CaseStudyChange = CaseStudy.changes.through


def equivalent_change_ids(change_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """For each change id: that change and every change the crosswalk joins it to, forwards or
    backwards, across any number of editions.

    Each query fetches the crosswalk rows within two steps of the changes still to explore, so
    two editions (2017 ↔ 2020) cost one query, and each further pair of editions one more,
    however many changes are asked about.
    """
    requested = {int(change_id) for change_id in change_ids}
    joined: dict[int, set[int]] = defaultdict(set)
    explored: set[int] = set()
    frontier = set(requested)
    for _ in range(CROSSWALK_MAX_HOPS):
        if not frontier:
            break
        earlier = Crosswalk.objects.filter(to_change__in=frontier).values("from_change")
        later = Crosswalk.objects.filter(from_change__in=frontier).values("to_change")
        pairs = Crosswalk.objects.filter(
            Q(from_change__in=frontier)
            | Q(to_change__in=frontier)
            | Q(from_change__in=earlier)
            | Q(to_change__in=earlier)
            | Q(from_change__in=later)
            | Q(to_change__in=later)
        ).values_list("from_change_id", "to_change_id")
        found: set[int] = set()
        for from_id, to_id in pairs:
            joined[from_id].add(to_id)
            joined[to_id].add(from_id)
            found.update((from_id, to_id))
        # Every row touching the frontier or its neighbours is in hand: those are explored.
        neighbours = {other for change_id in frontier for other in joined[change_id]}
        explored |= frontier | neighbours
        frontier = found - explored
    return {change_id: frozenset(_reachable(change_id, joined)) for change_id in requested}


def _reachable(start: int, joined: dict[int, set[int]]) -> set[int]:
    seen = {start}
    stack = [start]
    while stack:
        for neighbour in joined.get(stack.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return seen


def case_studies_for_changes(
    change_ids: Iterable[int], *, min_level: int | None = None
) -> dict[int, list[CaseStudy]]:
    """Published case studies for each change id, including those linked to the change it maps
    to in an earlier or later edition. Every id asked about is a key (an empty list when there
    are none); each list is in title order, without repeats.

    `min_level` is a level number (3 for Established): when given, only case studies showing
    that level or higher, so a system can see practice beyond the level it has reached.

    Queries: the crosswalk (one for two editions) and one for the case studies, whatever the
    number of changes or case studies.
    """
    groups = equivalent_change_ids(change_ids)
    linked_ids = set().union(*groups.values()) if groups else set()
    links = CaseStudyChange.objects.filter(
        change_id__in=linked_ids, casestudy__status=CaseStudy.Status.PUBLISHED
    )
    if min_level is not None:
        links = links.filter(casestudy__level__number__gte=min_level)
    studies: dict[int, CaseStudy] = {}
    by_linked_change: dict[int, list[CaseStudy]] = defaultdict(list)
    for link in links.select_related("casestudy__level__framework"):
        # One object per case study, however many of its changes matched.
        study = studies.setdefault(link.casestudy_id, link.casestudy)
        by_linked_change[link.change_id].append(study)
    result: dict[int, list[CaseStudy]] = {}
    for change_id, group in groups.items():
        matched = {study.pk: study for linked in group for study in by_linked_change[linked]}
        result[change_id] = sorted(matched.values(), key=lambda s: (s.title.casefold(), s.pk))
    return result


def _with_links(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("level__framework").prefetch_related(
        Prefetch(
            "changes",
            queryset=Change.objects.select_related("framework").order_by(
                "framework__year", "framework__short_title", "position"
            ),
        )
    )


def case_study_list(user) -> QuerySet:
    """The case studies this person may read, with their changes and level, in title order."""
    return _with_links(CaseStudy.objects.visible_to(user)).order_by("title", "pk")


def case_study_for_user(user, slug: str) -> CaseStudy:
    """The case study with this slug, if this person may read it; 404 otherwise (a draft is
    invisible, not forbidden, to those who cannot edit)."""
    return get_object_or_404(
        _with_links(CaseStudy.objects.visible_to(user)).select_related("created_by", "system"),
        slug=slug,
    )


def owners_for(user) -> list[System | None]:
    """Whom a case study this person adds may belong to: the systems they facilitate, and for
    site administrators the shared library (None) first. One query."""
    systems = list(System.objects.filter(pk__in=systems_facilitated_by(user)).order_by("name"))
    return [None, *systems] if is_site_administrator(user) else systems


def change_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The current changes of every framework, grouped by framework, for a drop-down."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    changes = (
        Change.objects.filter(archived=False)
        .select_related("framework")
        .order_by("-framework__year", "framework__short_title", "position")
    )
    for change in changes:
        grouped.setdefault(change.framework.short_title, []).append(
            (change.pk, f"{change.code}. {change.title}")
        )
    return list(grouped.items())


def level_choices() -> list[tuple[int, str]]:
    """The steps of the maturity scale by number ("3 Established"), across frameworks."""
    names: dict[int, str] = {}
    for number, name in Level.objects.order_by("number", "framework_id").values_list(
        "number", "name"
    ):
        names.setdefault(number, name)
    return [(number, f"{number} {name}") for number, name in names.items()]


def frameworks_for_form(linked_change_ids: Iterable[int] = ()) -> list[Framework]:
    """Frameworks with their levels and their current changes (plus any archived change the
    case study already shows), for the add and edit form. Three queries."""
    keep = Q(archived=False) | Q(pk__in=list(linked_change_ids))
    return list(
        Framework.objects.order_by("-year", "short_title").prefetch_related(
            Prefetch("changes", queryset=Change.objects.filter(keep).order_by("position")),
            Prefetch("levels", queryset=Level.objects.order_by("number")),
        )
    )
