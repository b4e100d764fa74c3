"""Reads for a person's Account page: what happened to their account (sign-ins, failed
attempts, their second factor, their tokens) and whether they have a second factor.

Each list is the person's own events only (scoped in the query), newest first, at most
`RECENT` of each: one query per list, whatever the number of events.
"""

from dataclasses import dataclass, field
from datetime import datetime

from allauth.mfa.models import Authenticator

from accounts.models import AccountEvent
from accounts.sign_in import second_factor_required

RECENT = 20

Kind = AccountEvent.Kind
SIGN_IN_KINDS = [Kind.SIGNED_IN]
FAILED_KINDS = [Kind.SIGN_IN_FAILED]
SECOND_FACTOR_KINDS = [
    Kind.SECOND_FACTOR_ADDED,
    Kind.SECOND_FACTOR_REMOVED,
    Kind.SECOND_FACTOR_RESET,
    Kind.RECOVERY_CODES_MADE,
]
TOKEN_KINDS = [Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED]


@dataclass
class AccountHistory:
    sign_ins: list[AccountEvent] = field(default_factory=list)
    failed_sign_ins: list[AccountEvent] = field(default_factory=list)
    second_factor_changes: list[AccountEvent] = field(default_factory=list)
    token_changes: list[AccountEvent] = field(default_factory=list)
    # When the person last signed out of all devices, if ever.
    signed_out_everywhere_at: datetime | None = None


def account_history(user) -> AccountHistory:
    """The person's recent account events, by list: five queries."""
    events = AccountEvent.objects.filter(user=user)

    def recent(kinds) -> list[AccountEvent]:
        return list(events.filter(kind__in=kinds).select_related("by")[:RECENT])

    last_signed_out = (
        events.filter(kind=Kind.SIGNED_OUT_EVERYWHERE).values_list("at", flat=True).first()
    )
    return AccountHistory(
        sign_ins=recent(SIGN_IN_KINDS),
        failed_sign_ins=recent(FAILED_KINDS),
        second_factor_changes=recent(SECOND_FACTOR_KINDS),
        token_changes=recent(TOKEN_KINDS),
        signed_out_everywhere_at=last_signed_out,
    )


@dataclass
class SecondFactor:
    authenticator_app_since: datetime | None
    has_recovery_codes: bool
    # The person's roles call for one (accounts.sign_in.second_factor_required).
    required: bool

    @property
    def is_set_up(self) -> bool:
        return self.authenticator_app_since is not None


def second_factor_of(user) -> SecondFactor:
    """Whether the person has an authenticator app and recovery codes: one query (and their
    roles, read once per request)."""
    found = dict(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ).values_list("type", "created_at")
    )
    return SecondFactor(
        authenticator_app_since=found.get(Authenticator.Type.TOTP),
        has_recovery_codes=Authenticator.Type.RECOVERY_CODES in found,
        required=second_factor_required(user),
    )
