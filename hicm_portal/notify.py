"""The portal's e-mail, sent one way.

Every e-mail is a plain-text template in `templates/emails/`, rendered with the service's name
and address when the step that calls for it runs, and sent only once that step's transaction
commits: a step that is refused or rolled back (a failed import row, a dry run) tells nobody.
Each recipient gets their own message, so nobody learns who else was told.

This is the ground floor: it takes plain values (addresses, a subject, a template name and the
template's context) and knows nothing of the apps that call it.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from hicm_portal.email_tasks import send_email


def portal_link(path: str) -> str:
    """An absolute address on the portal for a path such as `reverse("home")`."""
    return f"{settings.PORTAL_URL}{path}"


def notify(*, to: Iterable[str], subject: str, template: str, context: dict) -> None:
    """E-mail `templates/emails/<template>.txt` to each address in `to`, after the commit,
    through the task worker, which tries again while the mail server fails (`email_tasks`).

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

    def queue() -> None:
        for address in recipients:
            send_email.enqueue(subject=subject, body=body, to=[address])

    transaction.on_commit(queue)
