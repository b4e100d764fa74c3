"""The forms of a round recorded afterwards: first the framework, then the round (name, date
agreed, who approved it) and each change's agreed level, plan and BCF fields. The rules are
`history_services`'; the forms only shape input, and show the service's errors on the fields
it names (`history_services.field_key`)."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.db.models import Count, Q

from assessments.forms.base import GovDateField, PortalForm
from assessments.history_services import RecordedLevel, field_key
from assessments.models import Change, Framework, Level, Round, System


class RecordFrameworkForm(PortalForm):
    """Which framework the past round used (the levels are asked on the next page)."""

    submit_label = "Continue"

    framework = forms.ModelChoiceField(
        label="Which framework did the round use?",
        queryset=Framework.objects.none(),
        to_field_name="key",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select a framework", "invalid_choice": "Select a framework"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        frameworks = Framework.objects.annotate(
            change_count=Count("changes", filter=Q(changes__archived=False))
        ).order_by("-year", "short_title")
        # Sent by GET (nothing is written): the token would only show in the address.
        self.helper.disable_csrf = True
        self.fields["framework"].queryset = Framework.objects.all()
        self.fields["framework"].choices = [
            Choice(framework.key, framework.title, hint=f"{framework.change_count} changes")
            for framework in frameworks
        ]

    def layout_fields(self) -> list:
        return [Field.radios("framework", legend_size=Size.MEDIUM)]


class LevelChoiceField(forms.ChoiceField):
    """A level of the framework, from `levels` read once for every change's fields (a model
    choice field would read them again for each)."""

    def __init__(self, *, levels: list[Level], empty_label: str, **kwargs):
        self.levels = {str(level.pk): level for level in levels}
        choices = [(pk, f"{level.number} {level.name}") for pk, level in self.levels.items()]
        super().__init__(choices=[("", empty_label), *choices], **kwargs)

    def clean(self, value) -> Level | None:
        value = super().clean(value)
        return self.levels.get(value) if value else None


TEXTS = [
    ("rationale", "Rationale (optional)", "Why this level was agreed."),
    ("challenges", "Challenges (optional)", ""),
    ("milestones", "Milestones met / observed impact (optional)", ""),
    ("support_needs", "Support needs (optional)", ""),
]


class RecordedRoundForm(PortalForm):
    """The round as it was agreed, and each change of `framework`: its agreed level, planned
    level and date, and the optional rationale and BCF fields."""

    submit_label = "Record the round"

    # What every answer needs is the service's to say (so a page shows every problem at once):
    # the form only parses.
    name = forms.CharField(
        label="Name of the round",
        max_length=100,
        required=False,
        help_text="As your BCF plan named it, for example 2019/20",
        error_messages={"max_length": "The name must be 100 characters or fewer"},
    )
    agreed_on = GovDateField(
        noun="date agreed",
        label="Date the levels were agreed",
        help_text="For example, 12 9 2019",
        required=False,
    )
    approval_note = forms.CharField(
        label="Who approved the levels, and where",
        max_length=200,
        required=False,
        help_text="For example, Health and Wellbeing Board, 12 September 2019",
        error_messages={
            "max_length": "Who approved the levels must be 200 characters or fewer",
        },
    )
    previous_round = forms.ModelChoiceField(
        label="The agreed round before it (optional)",
        queryset=Round.objects.none(),
        required=False,
        empty_label="None",
        help_text="Its levels show as the previous levels in this round's return.",
    )

    def __init__(self, *args, system: System, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["previous_round"].queryset = system.rounds.filter(
            status=Round.Status.AGREED
        ).order_by("-agreed_at")
        self.changes = list(
            Change.objects.filter(framework=framework, archived=False).order_by("position")
        )
        levels = list(Level.objects.filter(framework=framework).order_by("number"))
        for change in self.changes:
            self.fields[field_key(change, "level")] = LevelChoiceField(
                label="Agreed level",
                levels=levels,
                required=False,
                empty_label="Select a level",
                error_messages={"invalid_choice": f"Select the agreed level of change {change}"},
            )
            self.fields[field_key(change, "planned_level")] = LevelChoiceField(
                label="Planned level (optional)",
                levels=levels,
                required=False,
                empty_label="None planned",
                error_messages={
                    "invalid_choice": f"Select the planned level of change {change}",
                },
            )
            self.fields[field_key(change, "planned_by")] = GovDateField(
                noun=f"planned date of change {change.code}",
                label="Planned to be reached by (optional)",
                help_text="For example, 31 3 2020. A past date is fine.",
                required=False,
            )
            for name, label, hint in TEXTS:
                self.fields[field_key(change, name)] = forms.CharField(
                    label=label,
                    help_text=hint,
                    required=False,
                    widget=forms.Textarea,
                )
        # PortalForm laid the form out before the changes' fields existed: lay it out again.
        # The page's own {% csrf_token %} protects the post.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.layout_fields(), Button("submit", self.submit_label))

    def layout_fields(self) -> list:
        fields = [
            Field.text("name", field_width=10),
            Field("agreed_on"),
            Field.text("approval_note"),
            Field.select("previous_round"),
        ]
        for change in getattr(self, "changes", []):
            fields.append(
                Fieldset(
                    Field.select(field_key(change, "level")),
                    Field.select(field_key(change, "planned_level")),
                    Field(field_key(change, "planned_by")),
                    *(Field.textarea(field_key(change, name), rows=3) for name, _, _ in TEXTS),
                    legend=f"Change {change}",
                    legend_size=Size.MEDIUM,
                    css_id=f"change-{change.code}",
                    css_class="govuk-!-margin-bottom-8",
                )
            )
        return fields

    def round_details(self) -> dict:
        """The service's keyword arguments, from the cleaned form."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "agreed_on": data["agreed_on"],
            "approval_note": data["approval_note"],
            "previous_round": data.get("previous_round"),
            "levels": [
                RecordedLevel(
                    change=change,
                    level=data.get(field_key(change, "level")),
                    planned_level=data.get(field_key(change, "planned_level")),
                    planned_by=data.get(field_key(change, "planned_by")),
                    **{name: data.get(field_key(change, name), "") for name, _, _ in TEXTS},
                )
                for change in self.changes
            ],
        }
