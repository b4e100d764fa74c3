"""The portal's e-mail, sent one way.

Every e-mail is a plain-text template in `templates/emails/`, rendered with the service's name
and address when the step that calls for it runs, and sent only once that step's transaction
commits: a step that is refused or rolled back (a failed import row, a dry run) tells nobody.
Each recipient gets their own message, so nobody learns who else was told.

**News or not.** Each person chooses, on their e-mail settings page, to get each e-mail as it
happens or one e-mail a day (`User.email_digest`). The choice applies to *news* only: the
templates named in NEWS_TEMPLATES, which tell what has happened and ask for nothing by a date
(the review is open, ready for approval, a proposal returned or proposed again, a round agreed,
a return submitted, a BCF return issued, progress posted on an action). For a person who chose
one e-mail a day, a news e-mail is stored (`DigestItem`, in the step's transaction, so a rolled
back step holds nothing) instead of sent; `digests_send`, run by `send_reminders`, sends each of
them one e-mail with everything held before today, and deletes it. Every other e-mail goes at
once to everyone, whatever they chose: deadlines (a round opened with its closing date, return
reminders, a reopened return to submit again, an action assigned with its due date, actions due,
the overdue digest) and security (invitations, password resets, roles given or removed, a new
member of one's partner). A template not named here is never held back.

This is the ground floor: it takes plain values (addresses, a subject, a template name and the
template's context) and knows nothing of the apps that call it.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hicm_portal.email_tasks import send_email
from hicm_portal.models import DigestItem, User
from hicm_portal.words import start_of_day

NEWS_TEMPLATES = frozenset(
    {
        "review_open",
        "ready_for_approval",
        "proposal_returned",
        "proposal_renewed",
        "round_agreed",
        "return_submitted",
        "return_issued",
        "progress_posted",
    }
)


def portal_link(path: str) -> str:
    """An absolute address on the portal for a path such as `reverse("home")`."""
    return f"{settings.PORTAL_URL}{path}"


def _hold_for_digest(recipients: list[str], subject: str, body: str) -> set[str]:
    """Store the message for those of `recipients` who chose one e-mail a day; return their
    addresses (lower case)."""
    wanted = {address.lower() for address in recipients}
    people = list(User.objects.filter(email__in=wanted, email_digest=True).only("pk", "email"))
    DigestItem.objects.bulk_create(
        DigestItem(user=person, subject=subject, body=body) for person in people
    )
    return {person.email.lower() for person in people}


def notify(*, to: Iterable[str], subject: str, template: str, context: dict) -> None:
    """E-mail `templates/emails/<template>.txt` to each address in `to`, after the commit,
    through the task worker, which tries again while the mail server fails (`email_tasks`);
    news (NEWS_TEMPLATES) for a person who chose one e-mail a day waits for their digest.

    The template sees `service_name` and `portal_url` besides `context`. Nothing is sent when
    there is nobody to tell.
    """
    recipients = list(dict.fromkeys(address for address in to if address))
    if not recipients:
        return
    body = render_to_string(
        f"emails/{template}.txt",
        {"service_name": settings.SERVICE_NAME, "portal_url": settings.PORTAL_URL, **context},
    )
    if template in NEWS_TEMPLATES:
        held = _hold_for_digest(recipients, subject, body)
        recipients = [address for address in recipients if address.lower() not in held]
        if not recipients:
            return

    def queue() -> None:
        for address in recipients:
            send_email.enqueue(subject=subject, body=body, to=[address])

    transaction.on_commit(queue)


def digests_send(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """E-mail each person the news held for them before `today` (by default, today), all in one
    e-mail, and delete it: one transaction per person, so a failure loses nobody's news and
    two runs at once send it once. Run hourly, the first run of a day sends the day before's.

    News held for someone who has since chosen e-mails as they happen goes the same way; news
    held for someone whose account has since been deactivated is deleted unsent.
    """
    today = today or timezone.localdate()
    before = start_of_day(today)
    people = User.objects.filter(digest_items__created_at__lt=before).distinct().order_by("email")
    report = []
    for person in people:
        with transaction.atomic():
            items = list(
                DigestItem.objects.select_for_update().filter(user=person, created_at__lt=before)
            )
            if not items:  # another run sent them meanwhile
                continue
            report.append(f"{person.email}: {len(items)} e-mail{'s' if len(items) != 1 else ''}")
            if not person.is_active:
                report[-1] += " (account deactivated: deleted, not sent)"
            if dry_run:
                continue
            if person.is_active:
                notify(
                    to=[person.email],
                    subject=f"{len(items)} update{'s' if len(items) != 1 else ''} from "
                    f"{settings.SERVICE_NAME}",
                    template="digest",
                    context={
                        "person": person,
                        "items": items,
                        "settings_link": portal_link(reverse("account_settings")),
                    },
                )
            DigestItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    return report
