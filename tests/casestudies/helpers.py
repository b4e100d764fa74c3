"""Helpers for the practice library's tests (fixtures are in conftest.py)."""

from assessments.models import Change


def change_id(key: str, code: str) -> int:
    """The primary key of a change named by its framework's key and its code."""
    return Change.objects.get(framework__key=key, code=code).pk
