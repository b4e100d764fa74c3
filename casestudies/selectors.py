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

CaseStudyChange = CaseStudy.changes.through


def crosswalk_pairs() -> list[tuple[int, int]]:
    """Every (from change, to change) pair of the crosswalk between editions. The table grows
    only with the frameworks loaded (a few dozen rows), so it is read whole in one query."""
    return list(Crosswalk.objects.order_by().values_list("from_change_id", "to_change_id"))


def equivalent_change_ids(
    change_ids: Iterable[int], *, crosswalk: Iterable[tuple[int, int]] | None = None
) -> dict[int, frozenset[int]]:
    """For each change id: that change and every change the crosswalk joins it to, forwards or
    backwards, across any number of editions. One query, or none when the caller passes the
    `crosswalk` pairs it has read already.
    """
    joined: dict[int, set[int]] = defaultdict(set)
    for from_id, to_id in crosswalk_pairs() if crosswalk is None else crosswalk:
        joined[from_id].add(to_id)
        joined[to_id].add(from_id)
    return {
        change_id: frozenset(_reachable(change_id, joined))
        for change_id in {int(change_id) for change_id in change_ids}
    }


def _reachable(start: int, joined: dict[int, set[int]]) -> set[int]:
    seen = {start}
    stack = [start]
    while stack:
        for neighbour in joined.get(stack.pop(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                stack.append(neighbour)
    return seen


def _by_change(groups: dict[int, frozenset[int]], links: Iterable[tuple]) -> dict[int, list]:
    """Each change's case studies, from `links` rows (linked change id, case study id, title,
    case study): those linked to any change of its group, once each, in title order."""
    by_linked_change: dict[int, list[tuple]] = defaultdict(list)
    for change_id, *study in links:
        by_linked_change[change_id].append(study)
    result = {}
    for change_id, group in groups.items():
        matched = {study[0]: study for linked in group for study in by_linked_change[linked]}
        ordered = sorted(matched.values(), key=lambda study: (study[1].casefold(), study[0]))
        result[change_id] = [study for _, _, study in ordered]
    return result


def case_studies_for_changes(
    change_ids: Iterable[int], *, min_level: int | None = None
) -> dict[int, list[CaseStudy]]:
    """Published case studies for each change id, including those linked to the change it maps
    to in an earlier or later edition. Every id asked about is a key (an empty list when there
    are none); each list is in title order, without repeats.

    `min_level` is a level number (3 for Established): when given, only case studies showing
    that level or higher, so a system can see practice beyond the level it has reached.

    Queries: the crosswalk and the case studies, whatever the number of changes or case studies.
    """
    groups = equivalent_change_ids(change_ids)
    links = _published_links(groups)
    if min_level is not None:
        links = links.filter(casestudy__level__number__gte=min_level)
    studies: dict[int, CaseStudy] = {}
    rows = []
    for link in links.select_related("casestudy__level__framework"):
        # One object per case study, however many of its changes matched.
        study = studies.setdefault(link.casestudy_id, link.casestudy)
        rows.append((link.change_id, study.pk, study.title, study))
    return _by_change(groups, rows)


def practice_for_changes(
    change_ids: Iterable[int], *, crosswalk: Iterable[tuple[int, int]] | None = None
) -> dict[int, list[dict]]:
    """As `case_studies_for_changes`, for a list of links beside each change: each case study
    as its slug, title and place. One query when the caller passes the `crosswalk` pairs."""
    groups = equivalent_change_ids(change_ids, crosswalk=crosswalk)
    links = _published_links(groups).values_list(
        "change_id", "casestudy_id", "casestudy__slug", "casestudy__title", "casestudy__place"
    )
    return _by_change(
        groups,
        (
            (change_id, study_id, title, {"slug": slug, "title": title, "place": place})
            for change_id, study_id, slug, title, place in links
        ),
    )


def _published_links(groups: dict[int, frozenset[int]]) -> QuerySet:
    linked_ids = set().union(*groups.values()) if groups else set()
    return CaseStudyChange.objects.filter(
        change_id__in=linked_ids, casestudy__status=CaseStudy.Status.PUBLISHED
    )


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
