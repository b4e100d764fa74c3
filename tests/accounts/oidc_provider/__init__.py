"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit in its own
process on 127.0.0.1 (`serve.py`), started and driven by `testing.py`."""
