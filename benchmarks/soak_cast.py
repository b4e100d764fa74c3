"""The soak's data and cast (`make soak`): a fresh database with the demo, and who does what.

The database is dropped and created, migrated, and loaded with the frameworks, the case studies
and the demo. Writers are members of partners whose return is open, each with ratings of their
own; readers are everyone else in the demo, each with the pages they may read.
"""

import os
import urllib.parse

from benchmarks.soak_load import Browser, Person, Unit

READER_SHARE = 0.3  # of the users; the rest save drafts


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def prepare_data(password: str, say) -> None:
    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_frameworks", verbosity=0, stdout=quiet)
        call_command("load_casestudies", verbosity=0, stdout=quiet)
        call_command("seed_demo", "--password", password, stdout=quiet)
    say("Migrated; frameworks, case studies and the demo loaded.")


def cast(users: int) -> tuple[list[Person], list[Person], list[Unit]]:
    """Writers (members of partners whose return is open, each with ratings of their own) and
    readers (everyone else in the demo, with the pages they may read)."""
    from django.urls import NoReverseMatch, reverse

    from assessments.models import Change, Member, PartnerReturn, Round, SystemRole

    open_returns = list(
        PartnerReturn.objects.filter(round__status=Round.Status.RATING, submitted_at=None)
        .select_related("round", "partner")
        .order_by("partner__name")
    )
    if not open_returns:
        raise RuntimeError("The demo has no open return to save drafts in.")
    wanted_writers = users - round(users * READER_SHARE)
    writers: list[Person] = []
    units: list[Unit] = []
    for place, partner_return in enumerate(open_returns):
        round_ = partner_return.round
        members = list(
            Member.objects.filter(partner=partner_return.partner)
            .order_by("user__email")
            .values_list("user__email", flat=True)
        )
        changes = list(
            Change.objects.filter(framework=round_.framework, archived=False).order_by("position")
        )
        # This return's share of the writers, each with every n-th change of it.
        share = wanted_writers // len(open_returns) + (place < wanted_writers % len(open_returns))
        share = min(share, len(changes))
        for slot in range(share):
            person = Person(email=members[slot % len(members)])
            for change in changes[slot::share]:
                units.append(
                    Unit(
                        partner_id=partner_return.partner_id,
                        round_id=round_.pk,
                        change_id=change.pk,
                        path=reverse(
                            "rating_edit",
                            args=[round_.public_id, partner_return.partner.public_id, change.code],
                        ),
                    )
                )
                person.units.append(len(units) - 1)
            writers.append(person)

    system = open_returns[0].round.system
    current = open_returns[0].round
    agreed = Round.objects.filter(system=system, status=Round.Status.AGREED).order_by("-agreed_at")
    change = Change.objects.filter(framework=current.framework, archived=False).first()

    def url(name: str, *args) -> str | None:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    common = [
        url("home"),
        url("system_detail", system.slug),
        url("round_list", system.slug),
        url("round_detail", current.public_id),
        url("framework_detail", current.framework.key),
        url("change_detail", current.framework.key, change.code),
    ]
    leaders = [*common]
    if agreed.exists():
        leaders += [url("plan", agreed.first().public_id), url("system_actions", system.slug)]
    people = [
        (role.user.email, leaders)
        for role in SystemRole.objects.filter(system=system).select_related("user")
    ]
    writing = {person.email for person in writers}
    for member in (
        Member.objects.filter(partner__system=system)
        .exclude(user__email__in=writing)
        .select_related("user", "partner")
        .order_by("user__email")
    ):
        tasks = url("return_tasks", current.public_id, member.partner.public_id)
        people.append((member.user.email, [*common, tasks, url("my_actions")]))
    readers = []
    for number in range(users - len(writers)):
        email, paths = people[number % len(people)]
        readers.append(Person(email=email, paths=[path for path in paths if path]))
    return writers, readers, units


def readable(browser: Browser, person: Person, say) -> Person:
    """Keep the pages this reader may read (a 200), so only faults show as errors."""
    kept = []
    for path in person.paths:
        request, _ = browser.request("check", path)
        if request.status == 200:
            kept.append(path)
        else:
            say(f"  Not read by {person.email}: {path} ({request.status})")
    if not kept:
        raise RuntimeError(f"{person.email} may read none of the pages chosen.")
    return Person(email=person.email, paths=kept)
