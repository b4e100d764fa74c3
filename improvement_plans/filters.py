import django_filters
from django import forms
from django.utils import timezone

from assessments.models import Change, Partner
from improvement_plans.models import Action


class ActionFilter(django_filters.FilterSet):
    """Filters for a system's actions; every choice is limited to that system."""

    change = django_filters.ModelChoiceFilter(
        label="Change", queryset=Change.objects.none(), empty_label="All changes"
    )
    lead_partner = django_filters.ModelChoiceFilter(
        label="Lead partner", queryset=Partner.objects.none(), empty_label="All partners"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Action.Status.choices, empty_label="Any status"
    )
    overdue = django_filters.BooleanFilter(
        label="Overdue only",
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Action
        fields = ["change", "lead_partner", "status", "overdue"]

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["change"].queryset = (
            Change.objects.filter(plan_actions__system=system)
            .select_related("framework")
            .distinct()
            .order_by("framework__year", "position")
        )
        self.filters["lead_partner"].queryset = system.partners.order_by("name")

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=Action.OPEN_STATUSES, due_date__lt=timezone.localdate())
