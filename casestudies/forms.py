"""Forms of the practice library. They shape input; the rules live in the model and the services,
so the add form, the edit form, the admin import and the fixture loader agree."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import conditional_escape

from assessments.forms import PortalForm
from assessments.models import Framework, System
from casestudies.models import (
    CHANGES_REQUIRED_MESSAGE,
    FIGURE_MAX_CHARACTERS,
    FIGURES_MAX,
    SOURCE_URL_MESSAGE,
    CaseStudy,
    figures_problem,
)
from casestudies.services import CaseStudyInput


class WebAddressField(forms.URLField):
    """A link to a web page: http or https only (no ftp:, javascript: or mailto:)."""

    default_validators = [URLValidator(schemes=["http", "https"], message=SOURCE_URL_MESSAGE)]


class CaseStudyFilterForm(PortalForm):
    """The base of the list page's filter form (django-filter adds the fields). The page draws
    its own search button, so the button's name is not sent with every search."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A search is a GET: no CSRF token in it, so none ends up in addresses and logs.
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("q", label_size=Size.SMALL), Field.select("change"), Field.select("level")
        )


class CaseStudyForm(PortalForm):
    """Add or edit a case study. The changes it shows are asked for one framework at a time."""

    submit_label = "Save case study"

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Say what was done and where, like “Trusted assessors for care homes”.",
        error_messages={
            "required": "Enter a title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    place = forms.CharField(
        label="Place",
        max_length=150,
        help_text="The area or system, like Leicester, Leicestershire and Rutland.",
        error_messages={
            "required": "Enter the place",
            "max_length": "The place must be 150 characters or fewer",
        },
    )
    organisations = forms.CharField(
        label="Organisations involved (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    level = forms.ChoiceField(
        label="Level it shows (optional)",
        required=False,
        help_text="On the scale of the framework of the changes you chose.",
        error_messages={"invalid_choice": "Select a level from the list"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences: shown in search results and beside each change.",
        error_messages={"required": "Enter a summary"},
    )
    what_they_did = forms.CharField(
        label="What they did",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Leave a blank line between paragraphs.",
        error_messages={"required": "Enter what they did"},
    )
    outcomes = forms.CharField(
        label="Outcomes",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What changed for people and for services, and what they would do next.",
        error_messages={"required": "Enter the outcomes"},
    )
    figures = forms.CharField(
        label="Key figures (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One a line, like “Reablement episode: 23 → 15 days”. Up to {FIGURES_MAX}, "
        f"each up to {FIGURE_MAX_CHARACTERS} characters.",
    )
    source_url = WebAddressField(
        label="Link to the source (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        # A text input, so GOV.UK styles it; inputmode brings up the web address keyboard.
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        error_messages={
            "invalid": SOURCE_URL_MESSAGE,
            "max_length": "The link must be 500 characters or fewer",
        },
    )
    status = forms.ChoiceField(
        label="Who can read it?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to publish the case study"},
    )

    def __init__(
        self, *args, frameworks: list[Framework], owners: list[System | None] = (), **kwargs
    ):
        """`owners`: whom a new case study may belong to (None: the shared library); asked
        only when there is a choice. An edit keeps the owner, so it passes none."""
        # Named before the base class lays the form out; the fields themselves follow.
        self.change_fields: dict[str, Framework] = {
            f"changes_{framework.pk}": framework
            for framework in frameworks
            if framework.changes.all()
        }
        self.owners = {_owner_value(owner): owner for owner in owners}
        self.asks_owner = len(self.owners) > 1
        super().__init__(*args, **kwargs)
        if self.asks_owner:
            self.fields["owner"] = forms.ChoiceField(
                label="Which system is it from?",
                help_text="Only that system's facilitators can change it. Site administrators "
                "look after the shared library.",
                widget=forms.RadioSelect,
                choices=[(value, _owner_label(owner)) for value, owner in self.owners.items()],
                error_messages={
                    "required": "Select which system the case study is from",
                    "invalid_choice": "Select which system the case study is from",
                },
            )
        self.changes_by_id = {}
        for name, framework in self.change_fields.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=conditional_escape(f"Changes in {framework.short_title}"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(str(c.pk), f"{c.code}. {c.title}") for c in framework.changes.all()],
                error_messages={"invalid_choice": "Select changes from the list"},
            )
            self.changes_by_id.update({str(c.pk): c for c in framework.changes.all()})
        # The error summary lists errors in field order: keep it the order of the page.
        self.order_fields(["title", "place", "owner", "organisations", *self.change_fields])
        self.levels_by_id = {
            str(level.pk): level for framework in frameworks for level in framework.levels.all()
        }
        self.fields["level"].choices = [("", "No level")] + [
            (
                framework.short_title,
                [
                    (str(level.pk), f"{level.number} {level.name}")
                    for level in framework.levels.all()
                ],
            )
            for framework in frameworks
            if framework.levels.all()
        ]
        self.fields["status"].choices = [
            Choice(
                CaseStudy.Status.PUBLISHED,
                "Everyone who uses the portal",
                hint="Published: it shows in the library and beside the changes it is linked to.",
            ),
            Choice(
                CaseStudy.Status.DRAFT,
                "Only its system's facilitators and site administrators",
                hint="Draft: keep working on it before publishing.",
            ),
        ]

    def layout_fields(self) -> list:
        return [
            Field.text("title", field_width="three-quarters"),
            Field.text("place", field_width="three-quarters"),
            *([Field.radios("owner", legend_size=Size.SMALL)] if self.asks_owner else []),
            Field.textarea("organisations", rows=2),
            *(
                Field.checkboxes(name, legend_size=Size.SMALL, small=True)
                for name in self.change_fields
            ),
            Field.select("level"),
            Field.textarea("summary", rows=3),
            Field.textarea("what_they_did", rows=8),
            Field.textarea("outcomes", rows=6),
            Field.textarea("figures", rows=4),
            Field.text("source_url", field_width="three-quarters"),
            Field.radios("status", legend_size=Size.SMALL),
        ]

    @property
    def first_change_field(self) -> str:
        return next(iter(self.change_fields), "level")

    @staticmethod
    def initial_for(case_study: CaseStudy) -> dict:
        initial = {
            "title": case_study.title,
            "place": case_study.place,
            "organisations": case_study.organisations,
            "level": str(case_study.level_id or ""),
            "summary": case_study.summary,
            "what_they_did": case_study.what_they_did,
            "outcomes": case_study.outcomes,
            "figures": "\n".join(case_study.figures or []),
            "source_url": case_study.source_url,
            "status": case_study.status,
        }
        for change in case_study.changes.all():
            initial.setdefault(f"changes_{change.framework_id}", []).append(str(change.pk))
        return initial

    def clean_figures(self) -> list[str]:
        lines = (self.cleaned_data.get("figures") or "").splitlines()
        figures = [line.strip() for line in lines if line.strip()]
        problem = figures_problem(figures)
        if problem:
            raise ValidationError(problem, code="invalid")
        return figures

    def clean(self) -> dict:
        data = super().clean()
        chosen = [
            self.changes_by_id[change_id]
            for name in self.change_fields
            for change_id in data.get(name) or []
        ]
        if not chosen and not any(name in self.errors for name in self.change_fields):
            self.add_error(
                self.first_change_field,
                ValidationError(CHANGES_REQUIRED_MESSAGE, code="required"),
            )
        data["changes"] = chosen
        data["level_object"] = self.levels_by_id.get(data.get("level") or "")
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's errors beside the field at fault (the changes question is asked
        per framework, so its error goes to the first one)."""
        fields = {"changes": self.first_change_field}
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = fields.get(name, name)
                # Each ValidationError keeps its code, so tests can tell the errors apart.
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def case_study_input(self) -> CaseStudyInput:
        data = self.cleaned_data
        return CaseStudyInput(
            title=data["title"],
            place=data["place"],
            organisations=data.get("organisations") or "",
            changes=data["changes"],
            level=data["level_object"],
            summary=data["summary"],
            what_they_did=data["what_they_did"],
            outcomes=data["outcomes"],
            figures=data.get("figures") or [],
            source_url=data.get("source_url") or "",
            status=data["status"],
            system=self._owner(),
        )

    def _owner(self) -> System | None:
        if self.asks_owner:
            return self.owners[self.cleaned_data["owner"]]
        return next(iter(self.owners.values()), None)


def _owner_value(owner: System | None) -> str:
    return "library" if owner is None else str(owner.pk)


def _owner_label(owner: System | None) -> str:
    return "The shared library" if owner is None else owner.name
