from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assessments import framework_selectors, selectors, services
from assessments.access import system_for
from assessments.forms.base import add_service_errors
from assessments.forms.naming import NAMED, NOT_NAMED, SystemNamingForm
from assessments.forms.people import InvitationForm, SetPasswordForm
from assessments.models import Invitation


@login_required
def system_detail(request: HttpRequest, slug: str) -> HttpResponse:
    system = system_for(request, slug)
    can_see_people = request.user.has_perm("assessments.view_people", system)
    can_invite = request.user.has_perm("assessments.invite_people", system)
    # Those who manage the system's people (its facilitators) see every grant and removal.
    people = (
        selectors.system_people(
            system, include_invitations=can_invite, include_role_changes=can_invite
        )
        if can_see_people
        else None
    )
    partners = people["partners"] if people else list(system.partners.all())
    agreed_round, agreed_levels = selectors.latest_agreed(system)
    return render(
        request,
        "assessments/system_detail.html",
        {
            "system": system,
            "partners": partners,
            "people": people,
            "can_see_people": can_see_people,
            "can_invite": can_invite,
            "agreed_round": agreed_round,
            "agreed_levels": agreed_levels,
        },
    )


@login_required
def system_naming(request: HttpRequest, slug: str) -> HttpResponse:
    """A facilitator chooses whether the region's other systems see their system's name
    beside its levels where they compare themselves (off until chosen)."""
    system = system_for(request, slug, "assessments.name_system")
    initial = {"named": NAMED if system.named_in_region else NOT_NAMED}
    form = SystemNamingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        named = form.cleaned_data["named"] == NAMED
        if services.system_naming_set(actor=request.user, system=system, named=named):
            message = services.SYSTEM_NAMED if named else services.SYSTEM_NOT_NAMED
            messages.success(request, message.format(system=system, region=system.region))
        return redirect("system_detail", slug=system.slug)
    return render(request, "assessments/system_naming.html", {"system": system, "form": form})


@login_required
def invitation_new(request: HttpRequest, slug: str) -> HttpResponse:
    system = system_for(request, slug, "assessments.invite_people")
    form = InvitationForm(request.POST if request.method == "POST" else None, system=system)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.invitation_create(
                system=system,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                partner=form.cleaned_data["partner"],
                invited_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if outcome.invitation:
                messages.success(
                    request,
                    f"Invitation sent to {outcome.invitation.email}. The link lasts 7 days.",
                )
            elif outcome.changes:
                messages.success(
                    request,
                    f"{outcome.user.email} already has an account: the role was added and "
                    "they have been told by email.",
                )
            else:
                messages.success(request, f"{outcome.user.email} already has this role.")
            return redirect("system_detail", slug=system.slug)
    return render(request, "assessments/invitation_new.html", {"system": system, "form": form})


def _pending_invitation(request: HttpRequest, slug: str, public_id) -> tuple:
    system = system_for(request, slug, "assessments.invite_people")
    invitation = get_object_or_404(Invitation, system=system, public_id=public_id)
    return system, invitation


@login_required
@require_POST
def invitation_resend(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    system, invitation = _pending_invitation(request, slug, public_id)
    try:
        services.invitation_resend(invitation=invitation, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    return redirect("system_detail", slug=system.slug)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    system, invitation = _pending_invitation(request, slug, public_id)
    services.invitation_cancel(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} was cancelled.")
    return redirect("system_detail", slug=system.slug)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the e-mailed link. Sets a password, grants the role, logs the person in."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "assessments/invitation_invalid.html",
            {"message": services.INVITATION_NOT_VALID},
            status=410,
        )
    form = SetPasswordForm(
        request.POST if request.method == "POST" else None,
        email=invitation.email,
        initial={"full_name": invitation.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            return render(
                request,
                "assessments/invitation_invalid.html",
                {"message": " ".join(error.messages)},
                status=410,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.system}. Your password is set.")
        return redirect("home")
    return render(
        request, "assessments/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "assessments/framework_list.html", {"frameworks": selectors.framework_list()}
    )


@login_required
def framework_detail(request: HttpRequest, key: str) -> HttpResponse:
    page = framework_selectors.framework_page(key)
    return render(
        request,
        "assessments/framework_detail.html",
        {"page": page, "framework": page.framework},
    )


@login_required
def change_detail(request: HttpRequest, key: str, code: str) -> HttpResponse:
    page = selectors.change_detail(key, code)
    return render(request, "assessments/change_detail.html", {"page": page})
