"""The list page's search and filters (django-filter): words, a change, a level."""

import django_filters
from django.db.models import Q, QuerySet

from casestudies import selectors
from casestudies.forms import CaseStudyFilterForm
from casestudies.models import CaseStudy

# A search is a few words; more would only make the query long.
SEARCH_MAX_WORDS = 10


class CaseStudyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_words",
        max_length=200,
        help_text="Words from the title or summary, like reablement or care homes.",
    )
    change = django_filters.ChoiceFilter(
        label="Change",
        method="filter_change",
        empty_label="Any change",
        null_label=None,
        error_messages={"invalid_choice": "Select a change from the list"},
    )
    level = django_filters.ChoiceFilter(
        label="Level it shows",
        field_name="level__number",
        empty_label="Any level",
        null_label=None,
        error_messages={"invalid_choice": "Select a level from the list"},
    )

    class Meta:
        model = CaseStudy
        fields: list[str] = []
        form = CaseStudyFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["change"].extra["choices"] = [
            (framework, [(str(pk), label) for pk, label in changes])
            for framework, changes in selectors.change_choices()
        ]
        self.filters["level"].extra["choices"] = [
            (str(number), label) for number, label in selectors.level_choices()
        ]

    def filter_words(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must appear in the title or the summary, in any case."""
        for word in value.split()[:SEARCH_MAX_WORDS]:
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
        return queryset

    def filter_change(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Linked to this change, or to the change it maps to in another edition."""
        change_id = int(value)
        linked = selectors.equivalent_change_ids([change_id])[change_id]
        return queryset.filter(pk__in=CaseStudy.objects.filter(changes__in=linked).values("pk"))

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.filters)
