"""Changes a person makes to their own sessions."""

from django.contrib.auth import get_user_model, logout
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from accounts.events import account_event_record
from accounts.models import AccountEvent

SIGNED_OUT_EVERYWHERE = (
    "You have been signed out of all devices, including this one. Sign in again to carry on."
)


def sessions_end_everywhere(*, user, request: HttpRequest) -> None:
    """End every session of `user`, on every device, this one included, and record it.

    Raising `sessions_version` changes the hash that Django keeps in each session
    (User.get_session_auth_hash), so Django refuses every session signed in before at its next
    request; this request's session is ended here and now. Access tokens are not sessions:
    they carry on until revoked."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(
            sessions_version=F("sessions_version") + 1
        )
        account_event_record(
            user=user, kind=AccountEvent.Kind.SIGNED_OUT_EVERYWHERE, request=request
        )
    logout(request)
