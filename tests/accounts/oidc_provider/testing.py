"""Start the test OpenID Connect provider (`serve.py`) and sign in through it.

The portal is driven with Django's test client; the person's browser at the provider is a
`requests` session. The portal itself talks to the provider over HTTP, as in production:
discovery, the token endpoint and the user info endpoint.
"""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "provider-password"  # noqa: S105 (the test provider's people)
# The client that a test account's ID tokens are issued for when it is in "other-audience".
OTHER_AUDIENCE = "another-portal"


@dataclass
class Provider:
    url: str
    process: subprocess.Popen

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def provider_start(*, clients: list[dict], people: list[dict]) -> Provider:
    """Start the provider with `clients` ({client_id, secret, redirect_uri}) and `people`
    ({username, email, groups}; each with PASSWORD); return once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.accounts.oidc_provider.serve"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "OIDC_TEST_PROVIDER_KEY": _private_key_pem()},
    )
    process.stdin.write(
        json.dumps({"clients": clients, "people": [{**p, "password": PASSWORD} for p in people]})
    )
    process.stdin.close()
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"the test provider did not start: {line!r}")
    return Provider(url=f"http://127.0.0.1:{int(line.split()[1])}", process=process)


def portal_app(*, provider: Provider, provider_id: str, name: str, client_id: str, secret: str):
    """The portal's setting for one provider, as hicm_portal.settings builds it."""
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": {"server_url": provider.issuer, "oauth_pkce_enabled": True},
    }


def sign_in_through(client, provider: Provider, *, provider_id: str, username: str, next_url=""):
    """Press the provider's button on the portal (from a sign-in page that was to go on to
    `next_url`), sign in at the provider as `username`, and return the portal's answer to the
    provider's redirect back."""
    button = {"process": "login", **({"next": next_url} if next_url else {})}
    start = client.post(f"/accounts/oidc/{provider_id}/login/", button)
    assert start.status_code == 302, start.content.decode()[:500]
    browser = requests.Session()
    to_sign_in = browser.get(start["Location"], allow_redirects=False, timeout=10)
    assert to_sign_in.status_code == 302, to_sign_in.text[:500]
    next_url = parse_qs(urlparse(to_sign_in.headers["Location"]).query)["next"][0]
    signed_in = browser.post(
        f"{provider.url}/login/",
        data={"username": username, "password": PASSWORD, "next": next_url},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    authorized = browser.get(
        f"{provider.url}{signed_in.headers['Location']}", allow_redirects=False, timeout=10
    )
    assert authorized.status_code == 302, authorized.text[:500]
    back = urlparse(authorized.headers["Location"])
    assert "code=" in back.query, back.query
    return client.get(f"{back.path}?{back.query}")
