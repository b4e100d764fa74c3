"""The OpenAPI description and its documentation page."""

import re

import pytest
from drf_spectacular.validation import validate_schema

from tests.api.helpers import api, get

pytestmark = pytest.mark.django_db


def test_the_schema_is_a_valid_openapi_3_document(client, cast):
    response = get(client, api("schema"), cast.nobody, format="json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/actions/{public_id}/progress/" in schema["paths"]
    assert "accessToken" in schema["components"]["securitySchemes"]


def test_the_schema_and_docs_need_a_signed_in_person(client):
    assert client.get(api("schema")).status_code == 401
    response = client.get(api("docs"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_docs_page_works_under_the_portals_csp(client, cast):
    client.force_login(cast.member)
    response = client.get(api("docs"))
    assert response.status_code == 200
    page = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # No inline script or style: every script has a source of ours, styles are files.
    assert "<style" not in page
    for script in re.findall(r"<script[^>]*>", page):
        assert 'src="/' in script
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    script = client.get(api("docs"), {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
