"""Issue 12: a blindness crawl of every URL pattern and download, as every role.

While a round is in rating, a partner's levels, rationale and evidence are its own members'
alone (DESIGN §4, "Blind rating"): not another partner's, the facilitator's, the steering
committee's, a regional or national viewer's, a site administrator's, nor anyone's in another
system (§9), on no page, download or e-mail.

Each partner of a round in rating writes a marker of its own, `SECRET-<its slug>-…`, in every
rationale, evidence title and evidence address. The crawl walks every URL pattern of the
project (the admin's for the site administrator only), fills each parameter from the data built
below (`SAMPLES` says with what), and GETs every URL as each person. It reads every answer:
HTML, CSV, XLSX cell by cell, PDF text, any other zipped office file; it follows the portal's
own redirects and "being prepared" pages, and links from a page with a query (`?export=csv`,
`?show=ratings`), so downloads chosen by a query are read too. It reads every e-mail sent
while the data was built (reminders, a draft saved, a return submitted and reopened). Then it
looks for markers of partners the person is not a member of.

Building the data and crawling take a while, so the first test that asks for `crawl` does both,
in its own transaction, and keeps the findings as plain values for the others (as
tests/returns/conftest.py does with the demo return); tests/trust/conftest.py keeps the
module's tests in one xdist process.

A new URL pattern needs a sample for each of its parameters in `SAMPLES`, or
`test_every_parameter_of_every_url_pattern_has_a_sample` fails; a new admin model needs a row.
"""

import html
import inspect
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from pypdf import PdfReader

from assessments import services
from assessments.models import Comment, Member, NationalViewer, PartnerReturn, Rating, Round
from assessments.round_services import RatingInput, rating_save
from casestudies.models import CaseStudy
from improvement_plans import return_services
from improvement_plans.models import Action, Investment
from tests.assessments.helpers import to_approval, to_review
from tests.factories import TEST_PASSWORD, MemberFactory, PartnerFactory, UserFactory
from tests.improvement_plans.helpers import make_action, make_update, rating_round
from tests.measures.helpers import make_measure
from tests.returns.helpers import plan_round

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# The URL patterns

# What fills each URL parameter, keyed by the literal path segment before it and its name ("*":
# after any segment), or for an admin page about a model by "<model>". A run of parameters
# filled together (a round and one of its returns; an object and one of its history records)
# is keyed by a tuple of names. `build` makes the values, under the names given here.
SAMPLES = {
    ("rounds", "public_id"): "rounds",
    ("rounds", ("public_id", "partner_id")): "returns",
    ("rounds", ("public_id", "investment_id")): "round_investments",
    ("rounds", ("public_id", "measure_id")): "round_measures",
    ("rounds", ("public_id", "comment_id")): "round_comments",
    ("*", "code"): "codes",
    ("returns", "issued_id"): "issued_returns",
    ("actions", "public_id"): "actions",
    ("invitations", "public_id"): "invitations",
    ("invitations", "token"): "invitation_tokens",
    ("systems", "slug"): "systems",
    ("regions", "slug"): "regions",
    ("case-studies", "slug"): "case_studies",
    ("frameworks", "key"): "frameworks",
    ("*", "file_format"): "file_formats",
    ("reset", "uidb64"): "password_reset_uids",
    ("reset", "token"): "password_reset_tokens",
    # The admin's.
    ("admin", "app_label"): "admin_apps",
    ("<model>", "object_id"): "admin_objects",
    ("<model>", ("object_id", "version_id")): "admin_versions",
    ("user", "id"): "users",  # a user's password page
    ("r", ("content_type_id", "object_id")): "admin_shortcuts",
}

# Not crawled, and why (by URL name, or by view name for a pattern without one).
SKIPPED = {
    "logout": "it would log the crawler out (the portal's and the admin's)",
    "catch_all_view": "the admin's catch-all: a redirect or 404 for any path it does not know",
    "favicon": "a redirect to the icon among the static files",
    "account_login": "a redirect to the login page (where django-allauth sends people back to)",
    "openid_connect_login": "single sign-on: no provider here (tests/accounts/test_sso.py)",
    "openid_connect_callback": "single sign-on: no provider here (tests/accounts/test_sso.py)",
}

ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(\w+)>)?[^()]*\)")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Parameter:
    name: str
    after: str  # what SAMPLES knows it by: the path segment before it, or "<model>"


@dataclass(frozen=True)
class Pattern:
    """One URL pattern as a path template: "rounds/{public_id}/partners/{partner_id}/"."""

    template: str
    name: str
    parameters: tuple[Parameter, ...]
    model: str | None  # the model an admin page is about ("assessments.rating")
    is_admin: bool

    def sample_keys(self) -> list:
        """The SAMPLES key of each parameter, or of each run of parameters filled together;
        KeyError names a parameter nothing fills."""
        keys, position = [], 0
        while position < len(self.parameters):
            parameter = self.parameters[position]
            rest = tuple(p.name for p in self.parameters[position:])
            runs = [
                key
                for key in SAMPLES
                if key[0] == parameter.after
                and isinstance(key[1], tuple)
                and rest[: len(key[1])] == key[1]
            ]
            singles = [
                key
                for key in ((parameter.after, parameter.name), ("*", parameter.name))
                if key in SAMPLES
            ]
            if runs:
                keys.append(max(runs, key=lambda key: len(key[1])))
                position += len(keys[-1][1])
            elif singles:
                keys.append(singles[0])
                position += 1
            else:
                raise KeyError(f"<{parameter.name}> after {parameter.after!r} in /{self.template}")
        return keys

    def urls(self, values: dict) -> list[str]:
        """Every URL of this pattern that the samples in `values` make."""
        choices = []
        for key in self.sample_keys():
            found = values[SAMPLES[key]]
            if key[0] == "<model>":
                found = found.get(self.model, [])
            names = key[1] if isinstance(key[1], tuple) else (key[1],)
            rows = found if isinstance(key[1], tuple) else [(value,) for value in found]
            choices.append([dict(zip(names, row, strict=True)) for row in rows])
        urls = []
        for combination in product(*choices):
            filled = {name: str(value) for part in combination for name, value in part.items()}
            urls.append("/" + PLACEHOLDER.sub(lambda m, f=filled: f[m[1]], self.template))
        return list(dict.fromkeys(urls))


def _model_of(callback) -> str | None:
    """The model an admin view is about: Django marks a ModelAdmin's views with `model_admin`;
    the views that packages add (history, import, export) are the ModelAdmin's methods."""
    model_admin = getattr(callback, "model_admin", None) or getattr(
        inspect.unwrap(callback), "__self__", None
    )
    if isinstance(model_admin, admin.ModelAdmin):
        return model_admin.model._meta.label_lower
    return None


def _template_of(part, positional: list[str]) -> str:
    if isinstance(part, RoutePattern):
        return ROUTE_PARAMETER.sub(r"{\1}", str(part))
    # A regular expression (the admin's): each group becomes a placeholder, an unnamed one
    # named after the view's argument it is passed as.
    names = iter(positional)
    regex = str(part).removeprefix("^").removesuffix("$")
    return REGEX_GROUP.sub(lambda m: "{" + (m[1] or next(names, "unnamed")) + "}", regex)


def _parameters(template: str, model: str | None) -> tuple[Parameter, ...]:
    parameters = []
    for match in PLACEHOLDER.finditer(template):
        segments = [s for s in PLACEHOLDER.sub("", template[: match.start()]).split("/") if s]
        after = "<model>" if model else (segments[-1] if segments else "")
        parameters.append(Parameter(name=match[1], after=after))
    return tuple(parameters)


def url_patterns(resolver=None, parts=(), is_admin=False):
    """Every URL pattern of the project, with the patterns it is included under."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            admin_ = is_admin or entry.app_name == "admin"
            yield from url_patterns(entry, (*parts, entry.pattern), admin_)
            continue
        positional = [
            name
            for name, parameter in inspect.signature(entry.callback).parameters.items()
            if name != "request" and parameter.kind is parameter.POSITIONAL_OR_KEYWORD
        ]
        template = "".join(_template_of(part, positional) for part in (*parts, entry.pattern))
        model = _model_of(entry.callback) if is_admin else None
        yield Pattern(
            template=template,
            name=entry.name or inspect.unwrap(entry.callback).__name__,
            parameters=_parameters(template, model),
            model=model,
            is_admin=is_admin,
        )


def crawled_patterns() -> list[Pattern]:
    files = tuple(u.lstrip("/") for u in (settings.STATIC_URL, settings.MEDIA_URL) if u.strip("/"))
    return [
        pattern
        for pattern in url_patterns()
        if pattern.name not in SKIPPED and not (files and pattern.template.startswith(files))
    ]


# ---------------------------------------------------------------------------------------------
# The data

ROLES = [
    "member",
    "other_member",
    "facilitator",
    "steering",
    "viewer",
    "national",
    "outsider",
    "nobody",
]
# The slug of each partner's markers.
HOSPITALS, COUNCIL, CARE, ELSEWHERE = "hospitals", "council", "care", "elsewhere"
SLUGS = frozenset({HOSPITALS, COUNCIL, CARE, ELSEWHERE})
LEVELS = "levels"  # what a page leaks when it shows a level of the round in rating


def marker(slug: str, what: str, code: str) -> str:
    return f"SECRET-{slug}-{what}-{code}"


def _rate(partner_return, user, slug: str, level_number: int, changes, *, evidence=True):
    """Save `user`'s ratings of `changes` at one level, each with the partner's markers."""
    level = partner_return.round.framework.levels.get(number=level_number)
    for change in changes:
        links = [
            {
                "title": marker(slug, "title", change.code),
                "url": "https://evidence.example/" + marker(slug, "url", change.code),
            }
        ]
        rating_save(
            partner_return=partner_return,
            change=change,
            data=RatingInput(
                level=level,
                rationale=f"We see it: {marker(slug, 'rationale', change.code)}",
                evidence=links if evidence else [],
                confidence="medium" if evidence else "",
            ),
            saved_by=user,
            expected_version=0,
        )


def _post(user, url: str, data: dict) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code)


def _admin_rows(cast) -> None:
    """Rows for the admin's pages of models that nothing else here writes."""
    Group.objects.create(name="Support")
    request = {"user_agent": "crawler", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(
        username="stranger@test.example",
        ip_address="127.0.0.1",
        get_data="",
        post_data="",
        failures_since_start=1,
        **request,
    )
    AccessFailureLog.objects.create(
        username="stranger@test.example", ip_address="127.0.0.1", **request
    )
    Client().post(reverse("login"), {"username": cast.nobody.email, "password": TEST_PASSWORD})
    # A task as the database backend stores it ("run after" its furthest date: at once).
    DBTaskResult.objects.create(
        task_path="improvement_plans.documents.build_document",
        args_kwargs={"args": [0], "kwargs": {}},
        backend_name="default",
        enqueued_at=timezone.now(),
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


@dataclass
class Built:
    values: dict  # the samples, by the names SAMPLES gives
    roles: dict  # role: (the person, the slugs of the markers they may see)
    members: dict  # e-mail address: the slugs of the partners they are a member of
    admin_extras: list  # (template, URL): more of the admin's rating pages
    level_pages: tuple  # URLs (beginnings) about the round in rating only: no level may show
    levels: list  # every level, as the admin shows it ("5 Established")


def build(cast, frameworks) -> Built:
    """The data crawled; the caller runs the on-commit callbacks (e-mails) as it goes.

    - Testshire: an agreed 2025/26 round with a plan (actions, progress, investments,
      approvals) and an issued return; 2026/27 Q2 in review, with a comment; 2026/27 Q1 waiting
      for approval; 2027/28, a draft;
      and 2026/27 Q3, in rating, whose partners rate at different levels: the Hospitals every
      change at 5 with evidence, submitted, reopened by the facilitator and submitted again;
      the Council three changes at 2 and a draft through the page; Care one draft at 1,
      rationale only.
    - Elsewhere: its own 2026/27 round in rating; its one partner rated every change at 4.
    - A case study of each system, an invitation pending, a role granted, reminders sent, and
      a national viewer.
    """
    framework = frameworks["mtoc-2020"]
    system, changes = cast.system, list(framework.changes.filter(archived=False))
    first, today = changes[0], timezone.localdate()

    agreed = plan_round(cast, framework, name="2025/26")
    make_update(Action.objects.get(rounds=agreed), cast.member, "Met the ward teams")
    measure = make_measure(system, first)
    issued = return_services.return_issue(round_=agreed, issued_by=cast.facilitator)
    review = rating_round(system, framework, [cast.partner, cast.other_partner], name="2026/27 Q2")
    to_review(review, cast)
    comment = Comment.objects.create(
        round=review, change=first, author=cast.member, text="We saw this on the wards"
    )
    # Waiting for approval: the steering committee's pages (approve all) answer only then.
    approval = rating_round(
        system, framework, [cast.partner, cast.other_partner], name="2026/27 Q1"
    )
    to_approval(approval, cast)
    draft = Round.objects.create(
        system=system,
        name="2027/28",
        framework=framework,
        opens_on=today,
        closes_on=today,
        quorum=1,
        created_by=cast.facilitator,
    )

    care = PartnerFactory(system=system, name="Testshire Care", partner_type="community")
    carer = MemberFactory(user=UserFactory(email="care@test.example"), partner=care).user
    rating = rating_round(
        system,
        framework,
        [cast.partner, cast.other_partner, care],
        name="2026/27 Q3",
        previous_round=agreed,
    )
    returns = {r.partner_id: r for r in PartnerReturn.objects.filter(round=rating)}
    base = f"/rounds/{rating.public_id}/partners/"
    _rate(returns[cast.partner.pk], cast.member, HOSPITALS, 5, changes)
    _post(cast.member, f"{base}{cast.partner.public_id}/check/", {})
    _post(cast.facilitator, f"{base}{cast.partner.public_id}/reopen/", {"reason": "Recheck"})
    _post(cast.member, f"{base}{cast.partner.public_id}/check/", {})
    _rate(returns[cast.other_partner.pk], cast.other_member, COUNCIL, 2, changes[:3])
    draft_code = changes[3].code
    draft_url = "https://evidence.example/" + marker(COUNCIL, "draft-url", draft_code)
    _post(
        cast.other_member,
        f"{base}{cast.other_partner.public_id}/changes/{draft_code}/",
        {
            "level": framework.levels.get(number=2).pk,
            "rationale": marker(COUNCIL, "draft", draft_code),
            "evidence_title_1": marker(COUNCIL, "draft-title", draft_code),
            "evidence_url_1": draft_url,
            "version": "0",
            "save_draft": "Save as draft",
        },
    )
    _rate(returns[care.pk], carer, CARE, 1, changes[:1], evidence=False)
    elsewhere = rating_round(cast.other_system, framework, [cast.outsider_partner], name="2026/27")
    _rate(PartnerReturn.objects.get(round=elsewhere), cast.outsider, ELSEWHERE, 4, changes)

    make_action(
        agreed,
        title="Open a discharge lounge",
        lead_partner=cast.other_partner,
        owner=cast.other_member,
        due=rating.closes_on - timedelta(days=3),
    )
    make_action(
        agreed,
        title="Train the ward teams",
        lead_partner=cast.partner,
        owner=cast.member,
        due=rating.closes_on + timedelta(days=3),
    )
    # A person with an account gains a role at once (and is told); a newcomer gets a link.
    UserFactory(email="helper@test.example", full_name="Hal Helper")
    for email, partner in (("helper@test.example", care), ("newcomer@test.example", cast.partner)):
        invited = services.invitation_create(
            system=system, email=email, role="member", partner=partner, invited_by=cast.facilitator
        )
    case_studies = []
    for place, status, owner in (
        ("Testshire", CaseStudy.Status.PUBLISHED, system),
        ("Elsewhere", CaseStudy.Status.DRAFT, cast.other_system),
    ):
        case_study = CaseStudy.objects.create(
            slug=f"{place.lower()}-discharge-hub",
            title=f"A discharge hub in {place}",
            place=place,
            summary="One team",
            what_they_did="Joined up",
            outcomes="Fewer delays",
            status=status,
            system=owner,
        )
        case_study.changes.add(first)
        case_studies.append(case_study.slug)
    call_command("send_reminders", "--today", str(rating.closes_on), stdout=io.StringIO())
    _admin_rows(cast)
    # A national viewer: every region's agreed rounds, nothing of one before agreement.
    national = UserFactory(email="national@test.example", full_name="Nat National")
    NationalViewer.objects.create(user=national)
    # A second factor, so its pages (recovery codes, removing it) have something to show.
    TOTP.activate(cast.member, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(cast.member)

    rounds = [rating, review, approval, agreed, draft, elsewhere]
    values = {
        "rounds": [r.public_id for r in rounds],
        "returns": list(
            PartnerReturn.objects.filter(round__in=rounds).values_list(
                "round__public_id", "partner__public_id"
            )
        ),
        "round_investments": list(Investment.objects.values_list("round__public_id", "public_id")),
        "round_comments": [(review.public_id, comment.public_id)],
        "round_measures": [(agreed.public_id, measure.public_id)],
        "codes": [first.code],
        "issued_returns": [issued.public_id],
        "actions": list(Action.objects.values_list("public_id", flat=True)),
        "invitations": [invited.invitation.public_id],
        "invitation_tokens": [invited.token],
        "systems": [system.slug, cast.other_system.slug],
        "regions": [system.region.slug, cast.other_system.region.slug],
        "case_studies": case_studies,
        "frameworks": [framework.key],
        "file_formats": ["pdf", "xlsx", "csv", "docx"],
        "password_reset_uids": ["MQ"],
        "password_reset_tokens": ["set-password"],
        "users": [cast.member.pk],
        "admin_apps": sorted({model._meta.app_label for model in admin.site._registry}),
        "admin_objects": {},
        "admin_versions": {},
        "admin_shortcuts": [(ContentType.objects.get_for_model(Round).pk, rating.pk)],
    }
    for model in admin.site._registry:
        label = model._meta.label_lower
        if model is Rating:  # one rating of each partner in each round, the markers' among them
            objects = list(Rating.objects.filter(change=first))
        else:
            objects = list(model._default_manager.order_by("-pk")[:1])
        values["admin_objects"][label] = [o.pk for o in objects]
        if hasattr(model, "history"):
            values["admin_versions"][label] = [
                (o.pk, o.history.order_by("-history_id").first().history_id) for o in objects
            ]

    slug_of = {
        cast.partner.pk: HOSPITALS,
        cast.other_partner.pk: COUNCIL,
        care.pk: CARE,
        cast.outsider_partner.pk: ELSEWHERE,
    }
    members = {}
    for email, partner_id in Member.objects.values_list("user__email", "partner_id"):
        members.setdefault(email, set()).add(slug_of.get(partner_id))
    roles = {role: ({**cast.roles(), "national": national}[role], set()) for role in ROLES}
    roles.update(
        member=(cast.member, {HOSPITALS}),
        other_member=(cast.other_member, {COUNCIL}),
        outsider=(cast.outsider, {ELSEWHERE}),
        admin=(cast.admin, set()),
    )
    ratings = reverse("admin:assessments_rating_changelist")
    in_rating = f"{ratings}?round__id__exact={rating.pk}"
    rated = Rating.objects.filter(round=rating).values_list("pk", flat=True)
    return Built(
        values=values,
        roles=roles,
        members=members,
        admin_extras=[("admin/assessments/rating/", in_rating)],
        level_pages=(
            in_rating,
            *(f"{ratings}{pk}/" for pk in rated),
        ),
        levels=[str(level) for level in framework.levels.all()],
    )


# ---------------------------------------------------------------------------------------------
# Reading what comes back

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
META_REFRESH = re.compile(
    r"""<meta[^>]+http-equiv=["']?refresh["']?[^>]+content=["']?\d+\s*;\s*url=([^"'>]+)""", re.I
)
HREF = re.compile(r"""href=["']([^"'#]*\?[^"'#]*)""")


def body_text(response) -> tuple[str, str]:
    """(kind, text) of an answer: its kind ("html", "csv", "xlsx", "pdf", "docx"…) and all its
    text, headers included."""
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    if content.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(content))
        pages = " ".join(page.extract_text() or "" for page in reader.pages)
        return "pdf", f"{headers} {reader.metadata} {pages}"
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        kind = "xlsx" if content_type == XLSX else content_type.rsplit(".", 1)[-1] or "zip"
        if kind == "xlsx":
            workbook = openpyxl.load_workbook(io.BytesIO(content))
            parts += [
                str(cell.value)
                for sheet in workbook
                for row in sheet.iter_rows()
                for cell in row
                if cell.value is not None
            ]
        return kind, f"{headers} {' '.join(parts)}"
    kind = {"text/html": "html", "text/csv": "csv"}.get(content_type, content_type or "empty")
    return kind, f"{headers} {content.decode('utf-8', 'replace')}"


def markers_in(text: str) -> set[str]:
    """The slugs whose markers `text` holds, however it was wrapped (PDF lines break at dashes)."""
    squeezed = re.sub(r"\s+", "", text).lower()
    return {slug for slug in SLUGS if f"secret-{slug}-" in squeezed}


def _refresh(url: str, response, text: str) -> str | None:
    """Where a page that refreshes itself (a document being prepared) goes next, if it does."""
    header = response.get("Refresh", "")
    target = header.partition("url=")[2] if "url=" in header.lower() else None
    meta = META_REFRESH.search(text)
    target = target or (html.unescape(meta[1]) if meta else None)
    if target or header or "being prepared" in text.lower():
        return urljoin(url, target) if target else url
    return None


def fetch(client, url: str, capture) -> list[tuple]:
    """GET `url`: (status, kind, text) of each answer, following the portal's own redirects and
    "being prepared" pages (a document built by the task worker; in tests at once, or as the
    page's transaction commits)."""
    answers = []
    for _ in range(5):
        with capture(execute=True):
            response = client.get(url)
        kind, text = body_text(response)
        answers.append((response.status_code, kind, text))
        if response.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(response["Location"])
            if location.netloc not in ("", "testserver") or "/login/" in location.path:
                break
            url = location.path + (f"?{location.query}" if location.query else "")
        elif kind == "html" and (refresh := _refresh(url, response, text)):
            url = refresh
        else:
            break
    return answers


def query_links(url: str, text: str) -> set[str]:
    """Links on a portal page to portal pages with a query (downloads, filters, ratings shown)."""
    links = set()
    for href in HREF.findall(text):
        link = urlsplit(urljoin(url, html.unescape(href)))
        if link.netloc or link.path.startswith("/admin/"):
            continue
        try:
            resolve(link.path)
        except Resolver404:
            continue
        links.add(f"{link.path}?{link.query}")
    return links


@dataclass(frozen=True)
class Visit:
    role: str
    pattern: str  # its template; "<template>?query" for a link followed from its page
    url: str
    status: int  # of the first answer
    final_status: int  # of the last, after the portal's own redirects
    kind: str  # of the last answer
    found: frozenset  # the slugs of the markers the answers held
    leaked: frozenset  # … that the person may not see, and LEVELS for a level shown


def crawl_as(role: str, user, allowed: set, patterns, built: Built, capture) -> list[Visit]:
    # A page that fails is a 500 here, recorded like any answer, not the end of the crawl.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    queue = [
        (pattern.template, url)
        for pattern in patterns
        if role == "admin" or not pattern.is_admin
        for url in pattern.urls(built.values)
    ]
    if role == "admin":
        queue += built.admin_extras
    seen = {url for _, url in queue}
    visits = []
    while queue:
        template, url = queue.pop(0)
        answers = fetch(client, url, capture)
        found = set().union(*(markers_in(text) for _, _, text in answers))
        leaked = found - allowed
        if url.startswith(built.level_pages) and any(
            level in text for _, _, text in answers for level in built.levels
        ):
            leaked.add(LEVELS)
        visits.append(
            Visit(
                role=role,
                pattern=template,
                url=url,
                status=answers[0][0],
                final_status=answers[-1][0],
                kind=answers[-1][1],
                found=frozenset(found),
                leaked=frozenset(leaked),
            )
        )
        if url.startswith("/admin/"):
            continue
        for status, kind, text in answers:
            if kind == "html" and status == 200:
                for link in query_links(url, text) - seen:
                    seen.add(link)
                    queue.append((f"{template}?query", link))
    return visits


@dataclass(frozen=True)
class Mail:
    to: tuple
    subject: str
    leaked: frozenset


@dataclass
class Crawl:
    patterns: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    mails: list = field(default_factory=list)


_CRAWL: dict[str, Crawl] = {}


@pytest.fixture
def crawl(cast, frameworks, django_capture_on_commit_callbacks) -> Crawl:
    """What the crawl found, as plain values: crawled by the first test that asks."""
    if "crawl" in _CRAWL:
        return _CRAWL["crawl"]
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        built = build(cast, frameworks)
    result = Crawl(patterns=crawled_patterns())
    for role, (user, allowed) in built.roles.items():
        result.visits += crawl_as(
            role, user, allowed, result.patterns, built, django_capture_on_commit_callbacks
        )
    # Every e-mail: the build's, and any a page sent.
    for message in mail.outbox:
        text = " ".join(
            [message.subject, message.body]
            + [str(content) for content, _ in getattr(message, "alternatives", [])]
            + [str(attachment) for attachment in message.attachments]
        )
        allowed = set().union(*(built.members.get(to, set()) for to in message.to))
        result.mails.append(
            Mail(tuple(message.to), message.subject, frozenset(markers_in(text) - allowed))
        )
    _CRAWL["crawl"] = result
    return result


# ---------------------------------------------------------------------------------------------
# The tests

# The admin's list of ratings, a rating's page and its history.
ADMIN_RATING_PAGES = re.compile(r"^admin/assessments/rating/(?!add/)")


def leaks(visits) -> list[str]:
    return [
        f"{v.role} at {v.url} ({v.status}, {v.kind}): {', '.join(sorted(v.leaked))}"
        for v in visits
        if v.leaked
    ]


def test_every_parameter_of_every_url_pattern_has_a_sample():
    missing = []
    for pattern in crawled_patterns():
        try:
            pattern.sample_keys()
        except KeyError as error:
            missing.append(error.args[0])
    assert missing == [], "give each a sample in SAMPLES and `build`"


@pytest.mark.parametrize("role", ROLES)
def test_nobody_sees_another_partners_ratings_while_the_round_is_in_rating(crawl, role):
    visits = [v for v in crawl.visits if v.role == role]
    assert len(visits) > 200
    assert leaks(visits) == []


def test_the_site_administrator_sees_no_ratings_in_the_portal_or_the_rest_of_the_admin(crawl):
    visits = [v for v in crawl.visits if v.role == "admin"]
    assert len(visits) > 300
    assert leaks(v for v in visits if not ADMIN_RATING_PAGES.match(v.pattern)) == []


def test_the_site_administrator_sees_no_ratings_of_a_round_in_rating_in_the_admin(crawl):
    visits = [v for v in crawl.visits if v.role == "admin" and ADMIN_RATING_PAGES.match(v.pattern)]
    assert len(visits) > 20
    assert leaks(visits) == []


def test_no_e_mail_carries_another_partners_rating(crawl):
    subjects = " ".join(m.subject for m in crawl.mails)
    for sent in ("review is open", "reopened", "Reminder", "Due", "overdue", "invited"):
        assert sent in subjects
    assert [f"{m.to} {m.subject!r}: {sorted(m.leaked)}" for m in crawl.mails if m.leaked] == []


def test_the_crawl_covers_every_url_pattern(crawl):
    """The crawl made a URL of every pattern and read a 200 from every one that answers a GET
    (that does not answer 405 to everyone): the patterns crawled are the GET-able ones. In the
    admin, a page can refuse even the site administrator: adding to or deleting from a read-only
    model, a page of an object that has none."""
    found = {p.template for p in crawl.patterns}
    statuses: dict[str, Counter] = {template: Counter() for template in found}
    crawled = set()
    for visit in crawl.visits:
        if visit.pattern in found:
            statuses[visit.pattern][visit.status] += 1
            if visit.final_status in (200, 204):  # 204: "Stay signed in", with no body
                crawled.add(visit.pattern)
    assert sorted(t for t, seen in statuses.items() if not seen) == [], "no URL was made"
    getable = {t for t, seen in statuses.items() if set(seen) != {405}}
    refused = {t for t in getable if t.startswith("admin/") and set(statuses[t]) <= {403, 404}}
    unread = {t: dict(statuses[t]) for t in sorted(getable - refused - crawled)}
    assert unread == {}
    assert len(crawled) == len(getable - refused)


def test_the_crawl_reads_every_kind_of_answer_and_would_see_a_leak(crawl):
    """Each member finds their own partner's markers, on pages and in their return's
    spreadsheet; and PDFs, CSVs and spreadsheets were read."""
    for role, slug in (("member", HOSPITALS), ("other_member", COUNCIL)):
        kinds = {v.kind for v in crawl.visits if v.role == role and slug in v.found}
        assert {"html", "xlsx"} <= kinds, role
    read = {v.kind for v in crawl.visits if v.final_status == 200}
    assert {"html", "pdf", "xlsx", "csv"} <= read
