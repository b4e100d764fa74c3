"""Schemathesis sends what the OpenAPI description allows, and more, to every operation of the
API, as a member of the system (a national viewer for the summaries) with a real round, action
and issued return in the addresses:
no answer is a server error, and every documented answer has the documented shape."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from assessments.models import NationalViewer
from improvement_plans.models import IssuedReturn
from tests.api.helpers import token_for
from tests.factories import UserFactory
from tests.returns.helpers import plan_round

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def addresses(cast, frameworks) -> dict:
    """Real ids for the addresses' parameters, by operation path and parameter name."""
    round_ = plan_round(cast, frameworks["mtoc-2020"])
    national = UserFactory(email="nation@test.example")
    NationalViewer.objects.create(user=national)
    issued = IssuedReturn.objects.create(
        round=round_,
        version=1,
        data={},
        html="",
        pdf=b"%PDF",
        xlsx=b"PK",
        checksum="0" * 64,
        issued_at=timezone.now(),
    )
    return {
        "/api/actions/": str(round_.plan_actions.get().public_id),
        "/api/rounds/": str(round_.public_id),
        "/api/returns/": str(issued.public_id),
        "slug": cast.system.slug,
        "key": "mtoc-2020",
        "region": cast.system.region.slug,
        "token": token_for(cast.member),
        # The region and national summaries are a national viewer's to read.
        "national_token": token_for(national),
    }


def _fill(case, addresses: dict) -> None:
    for name in list(case.path_parameters or {}):
        if name in ("slug", "key"):
            value = addresses[name]
            if case.path.startswith("/api/regions/"):
                value = addresses["region"]
        else:
            value = next(v for k, v in addresses.items() if case.path.startswith(k))
        case.path_parameters[name] = value


@pytest.fixture
def app():
    """The portal as a WSGI application, inside the test's transaction: as Django's test client
    does, the end of a request must not close the database connection the test holds (on
    PostgreSQL, the next query would find it closed)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_answer_is_a_server_error_and_each_has_its_documented_shape(case, cast, addresses, app):
    _fill(case, addresses)
    regional = case.path.startswith(("/api/regions/", "/api/national/"))
    token = addresses["national_token" if regional else "token"]
    response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
