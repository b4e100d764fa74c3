"""Strict path converters: a URL segment that cannot be a code, token or file type is a 404.

Django's `str` converter matches anything but "/", control characters included: a NUL byte
(`/frameworks/mtoc-2020/changes/%00/`) reached the views and made PostgreSQL raise ValueError
in the query, a 500. These converters match only what the portal makes, so such a segment
never resolves. Slugs and framework keys use Django's `slug` converter, which is as strict.

Registered once, when this module is first imported (by the URL modules that use them).
"""

from django.urls import register_converter


class _Converter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class CodeConverter(_Converter):
    """A change's code within its framework: "1", "A", "G2", "A-P1" (at most 20 characters)."""

    regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}"


class TokenConverter(_Converter):
    """An invitation token, as `secrets.token_urlsafe` makes it."""

    regex = r"[A-Za-z0-9_-]{1,100}"


class FileFormatConverter(_Converter):
    """A download's file type: "pdf", "xlsx"."""

    regex = r"[a-z0-9]{1,10}"


register_converter(CodeConverter, "code")
register_converter(TokenConverter, "token")
register_converter(FileFormatConverter, "fileformat")
