import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_strict_content_security_policy_with_a_nonce(client, cast):
    client.force_login(cast.member)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "style=" not in response.content.decode(), "inline styles break the CSP"


def test_only_the_admin_allows_inline_styles(client, cast):
    client.force_login(cast.admin)
    policy = client.get("/admin/")["Content-Security-Policy"]
    assert (
        "style-src 'unsafe-inline'" in policy
        or "'unsafe-inline'" in policy.split("style-src")[1].split(";")[0]
    )


def test_pages_refuse_to_be_framed(client, db):
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_error_pages_use_the_portal_layout(client, cast):
    client.force_login(cast.member)
    response = client.get("/systems/no-such-system/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-generic-header" in response.content.decode()


def _start_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "hicm_portal.settings", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_with_debug_off_the_portal_refuses_to_start_without_a_secret_key():
    result = _start_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_debug_off_and_a_secret_key_the_portal_starts():
    result = _start_settings({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_setting_is_refused_loudly():
    result = _start_settings({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr
