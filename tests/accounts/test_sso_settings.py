"""Single sign-on providers come from OIDC_1_*, OIDC_2_*, … in the environment; a provider with
a value missing stops the portal from starting."""

import json
import os
import subprocess
import sys

from django.conf import settings

SHOW_PROVIDERS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']))"
)


def _start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(  # noqa: S603 (this Python, a fixed script)
        [sys.executable, "-c", SHOW_PROVIDERS],
        env={**clean, "DJANGO_SETTINGS_MODULE": "hicm_portal.settings", "DEBUG": "1", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def provider_env(number: int, provider_id: str) -> dict:
    return {
        f"OIDC_{number}_ID": provider_id,
        f"OIDC_{number}_NAME": f"Sign in with {provider_id}",
        f"OIDC_{number}_ISSUER": f"https://{provider_id}.example/realms/staff",
        f"OIDC_{number}_CLIENT_ID": "hicm-portal",
        f"OIDC_{number}_SECRET": "s3cret",
    }


def test_several_providers_are_read_in_order():
    result = _start({**provider_env(1, "nhs"), **provider_env(2, "council")})
    assert result.returncode == 0, result.stderr
    apps = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(app["provider_id"], app["name"]) for app in apps] == [
        ("nhs", "Sign in with nhs"),
        ("council", "Sign in with council"),
    ]
    assert apps[0]["settings"]["server_url"] == "https://nhs.example/realms/staff"
    assert apps[0]["client_id"] == "hicm-portal"


def test_without_providers_there_are_none():
    result = _start({})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_a_provider_missing_a_value_stops_the_portal():
    env = provider_env(1, "nhs")
    del env["OIDC_1_SECRET"]
    result = _start(env)
    assert result.returncode != 0
    assert "Single sign-on provider 1 needs OIDC_1_SECRET" in result.stderr


def test_a_provider_id_unfit_for_an_address_stops_the_portal():
    result = _start(provider_env(1, "nhs/login"))
    assert result.returncode != 0
    assert "OIDC_1_ID must be letters, digits, - or _" in result.stderr
