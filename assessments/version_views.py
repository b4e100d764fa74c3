"""A framework's wording versions: the history, and what changed between two versions.

Anyone signed in may read them, as they may read the framework's page: a framework's wording
is public, and nothing here tells one system's data (a version shows only how many rounds use
it, never whose).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assessments.forms.base import PortalForm
from assessments.framework_versions import versions_compare, versions_of
from assessments.models import Framework, FrameworkVersion

SELECT_FROM = "Select the version to compare from"
SELECT_TO = "Select the version to compare with"
SAME_VERSION = "Select a version different from the one you compare it with"


class VersionCompareForm(PortalForm):
    """Two versions of one framework, chosen by number (a GET form, so a comparison is a link
    to share)."""

    submit_label = "Compare"

    def __init__(self, data, *, numbers: list[int]):
        super().__init__(data)
        choices = [(str(number), f"Version {number}") for number in numbers]
        self.fields["from"] = forms.TypedChoiceField(
            label="From version",
            choices=choices,
            coerce=int,
            error_messages={"required": SELECT_FROM, "invalid_choice": SELECT_FROM},
        )
        self.fields["to"] = forms.TypedChoiceField(
            label="To version",
            choices=choices,
            coerce=int,
            error_messages={"required": SELECT_TO, "invalid_choice": SELECT_TO},
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from") is not None and cleaned.get("from") == cleaned.get("to"):
            self.add_error("to", SAME_VERSION)
        return cleaned


def _framework(key: str) -> Framework:
    return get_object_or_404(Framework.objects.order_by(), key=key)


@login_required
@require_GET
def framework_versions(request: HttpRequest, key: str) -> HttpResponse:
    framework = _framework(key)
    return render(
        request,
        "assessments/versions/version_list.html",
        {"framework": framework, "versions": versions_of(framework)},
    )


@login_required
@require_GET
def framework_versions_compare(request: HttpRequest, key: str) -> HttpResponse:
    framework = _framework(key)
    versions = versions_of(framework)  # newest first
    data = request.GET.copy()
    if len(versions) >= 2:  # opened without a choice: the newest against the one before
        data.setdefault("from", str(versions[1].number))
        data.setdefault("to", str(versions[0].number))
    form = VersionCompareForm(data, numbers=[version.number for version in reversed(versions)])
    comparison = None
    if len(versions) >= 2 and form.is_valid():
        chosen = {
            version.number: version
            for version in FrameworkVersion.objects.filter(
                framework=framework,
                number__in=[form.cleaned_data["from"], form.cleaned_data["to"]],
            )
        }
        comparison = versions_compare(
            chosen[form.cleaned_data["from"]], chosen[form.cleaned_data["to"]]
        )
    return render(
        request,
        "assessments/versions/version_compare.html",
        {
            "framework": framework,
            "versions": versions,
            "form": form if len(versions) >= 2 else None,
            "comparison": comparison,
        },
    )
