"""Changes to a person's second factor made by someone else: a site administrator's reset."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from accounts.events import account_event_record
from accounts.models import AccountEvent
from hicm_portal.notify import notify, portal_link


@transaction.atomic
def second_factor_reset(*, user, by) -> int:
    """Delete every authenticator of `user` (their authenticator app and recovery codes), for a
    person who lost their device; record it with who did it, and e-mail them at once. Those who
    must have a second factor set it up again when they next sign in. Returns how many
    authenticators were deleted (none: nothing is recorded or sent). Their sessions end, as
    signing out of all devices ends them."""
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        return 0
    # Their sessions end too: each remembers that its person had a second factor.
    get_user_model().objects.filter(pk=user.pk).update(sessions_version=F("sessions_version") + 1)
    account_event_record(user=user, kind=AccountEvent.Kind.SECOND_FACTOR_RESET, by=by)
    notify(
        to=[user.email],
        subject=f"Your second factor for {settings.SERVICE_NAME} has been reset",
        template="second_factor_reset",
        context={"user": user, "by": by, "link": portal_link(reverse("mfa_index"))},
    )
    return deleted
