"""The shared cast of test users, the framework library, and test-only settings.

Later work extends the cast into a permission matrix: every URL × every role × own/other
partner × own/other system.

The shipped framework library is loaded once per test database (so once per xdist worker),
when the database is set up: every test runs in a transaction that is rolled back, so each one
finds the library as loaded. A transactional test (the browser and race tests) commits for
real and the database is flushed when it ends, so `frameworks` loads the library again when
it is missing; pytest-django runs the transactional tests last, so this happens after each of
them and hardly ever before another kind of test.
"""

import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command

from assessments.models import Framework
from tests.factories import (
    MemberFactory,
    PartnerFactory,
    RegionalViewerFactory,
    SystemFactory,
    SystemRoleFactory,
    UserFactory,
)


def pytest_configure(config) -> None:
    # Fast hashing and plain static storage in tests (no collectstatic manifest needed).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Signed-in test users go straight to their pages; tests/accounts turns the requirement on.
    settings.SECOND_FACTOR_REQUIRED = False
    # The query budgets count a page's own queries. Renewing the session (one UPDATE of its
    # row at most once a minute, SessionRenewalMiddleware) is switched back on and measured in
    # tests/accounts/test_sessions.py.
    settings.SESSION_RENEWAL = False


@dataclass
class Cast:
    """Who is who in the tests.

    - `system`: the system under test (region `system.region`), with two partners.
    - `member`: a partner member of `partner` in `system`.
    - `other_member`: a partner member of `other_partner`, same system.
    - `facilitator`: facilitator of `system` (not a partner member).
    - `steering`: steering committee member of `system` (not a partner member).
    - `viewer`: regional viewer of `system`'s region.
    - `outsider`: a partner member of `other_system`, in another region.
    - `nobody`: logged in, with no role anywhere.
    - `admin`: a site administrator (Django staff and superuser), with no system role.
    """

    system: object
    partner: object
    other_partner: object
    other_system: object
    outsider_partner: object
    member: object
    other_member: object
    facilitator: object
    steering: object
    viewer: object
    outsider: object
    nobody: object
    admin: object

    def roles(self) -> dict:
        """Every person by role name, for permission matrices."""
        return {
            "member": self.member,
            "other_member": self.other_member,
            "facilitator": self.facilitator,
            "steering": self.steering,
            "viewer": self.viewer,
            "outsider": self.outsider,
            "nobody": self.nobody,
        }


@pytest.fixture
def cast(db) -> Cast:
    system = SystemFactory(name="Testshire", slug="testshire")
    partner = PartnerFactory(system=system, name="Testshire Hospitals")
    other_partner = PartnerFactory(
        system=system, name="Testshire Council", partner_type="local_authority"
    )
    other_system = SystemFactory(name="Elsewhere", slug="elsewhere")
    outsider_partner = PartnerFactory(system=other_system, name="Elsewhere Trust")

    member = UserFactory(email="member@test.example", full_name="Mina Member")
    MemberFactory(user=member, partner=partner)
    other_member = UserFactory(email="other@test.example", full_name="Otto Other")
    MemberFactory(user=other_member, partner=other_partner)
    facilitator = UserFactory(email="facilitator@test.example", full_name="Fay Facilitator")
    SystemRoleFactory(user=facilitator, system=system, role="facilitator")
    steering = UserFactory(email="steering@test.example", full_name="Stu Steering")
    SystemRoleFactory(user=steering, system=system, role="steering")
    viewer = UserFactory(email="viewer@test.example", full_name="Vic Viewer")
    RegionalViewerFactory(user=viewer, region=system.region)
    outsider = UserFactory(email="outsider@test.example", full_name="Oz Outsider")
    MemberFactory(user=outsider, partner=outsider_partner)
    nobody = UserFactory(email="nobody@test.example", full_name="Noa Nobody")
    admin = UserFactory(
        email="admin@test.example", full_name="Ada Admin", is_staff=True, is_superuser=True
    )
    return Cast(
        system=system,
        partner=partner,
        other_partner=other_partner,
        other_system=other_system,
        outsider_partner=outsider_partner,
        member=member,
        other_member=other_member,
        facilitator=facilitator,
        steering=steering,
        viewer=viewer,
        outsider=outsider,
        nobody=nobody,
        admin=admin,
    )


def _load_framework_library() -> None:
    call_command("load_frameworks", verbosity=0, stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the shipped framework library (fixtures/frameworks) loaded."""
    with django_db_blocker.unblock():
        _load_framework_library()


@pytest.fixture
def frameworks(db) -> dict:
    """The shipped framework library by key (loaded once per test database, see above)."""
    if not Framework.objects.exists():  # a transactional test flushed the database
        _load_framework_library()
    return {f.key: f for f in Framework.objects.all()}


@pytest.fixture
def empty_framework_library(db) -> None:
    """For tests of loading frameworks: the test starts with no framework at all."""
    Framework.objects.update(predecessor=None)
    Framework.objects.all().delete()


@pytest.fixture
def open_round(cast, frameworks):
    """A round of `cast.system` in rating on the 2020 framework, with both of its partners."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import PartnerReturn, Round

    today = timezone.localdate()
    round_ = Round.objects.create(
        system=cast.system,
        name="2026/27 Q3",
        framework=frameworks["mtoc-2020"],
        status=Round.Status.RATING,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        quorum=1,
        created_by=cast.facilitator,
        opened_at=timezone.now(),
    )
    PartnerReturn.objects.create(round=round_, partner=cast.partner)
    PartnerReturn.objects.create(round=round_, partner=cast.other_partner)
    return round_


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache: it counts password reset requests per
    address (hicm_portal/password_reset.py), and addresses repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
