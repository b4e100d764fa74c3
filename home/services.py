"""State changes of a person's own account."""

from django.db import transaction

from hicm_portal.models import User


@transaction.atomic
def email_preference_set(*, user: User, digest: bool) -> User:
    """The person chooses one e-mail a day (`digest`) or each e-mail as it happens. News
    already held for them still goes in their next daily e-mail (`hicm_portal.notify`)."""
    User.objects.filter(pk=user.pk).update(email_digest=digest)
    user.email_digest = digest
    return user
