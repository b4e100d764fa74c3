"""The admin's action on people (`assessments.admin.PersonAdmin`): reset a second factor."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin, messages

from accounts.second_factor_services import second_factor_reset


@admin.action(description="Reset the second factor of the selected people", permissions=["change"])
def second_factor_reset_action(modeladmin, request, queryset) -> None:
    """For people who lost their device: deletes their authenticator app and recovery codes,
    records it and e-mails each of them."""
    reset = [user for user in queryset if second_factor_reset(user=user, by=request.user)]
    if reset:
        names = ", ".join(user.email for user in reset)
        modeladmin.message_user(
            request, f"Second factor reset for {len(reset)}: {names}", messages.SUCCESS
        )
    else:
        modeladmin.message_user(
            request, "None of the selected people had a second factor set up.", messages.WARNING
        )


# django-allauth's own admin pages are not the portal's: a second factor is removed only by its
# person or by the recorded, e-mailed reset above; providers come from the environment; the
# portal keeps no provider tokens or e-mail address records, and finds people by their verified
# address at every sign-in.
for model in (Authenticator, EmailAddress, SocialAccount, SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
