"""Limits on the long text people write (rationales, notes, narratives).

Every text is bounded in characters and, where documents print it, in lines: a document is only
as bounded as the text in it, and the worst permitted consensus record must build within the
task worker's limit (DESIGN §8; tests/documents). Lines count because a PDF lays out each one:
five thousand characters of one-character lines would run to forty pages.

The same validators sit on the model field (so `full_clean()` in every service refuses text
past the limit, whatever the path: form, upload, admin) and on the form field (so the person
sees the message beside what they typed).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible


@deconstructible
class MaxLinesValidator:
    """Refuses text of more than `limit_value` lines."""

    code = "max_lines"

    def __init__(self, limit_value: int, message: str):
        self.limit_value = limit_value
        self.message = message

    def __call__(self, value) -> None:
        if str(value).count("\n") + 1 > self.limit_value:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, MaxLinesValidator)
            and self.limit_value == other.limit_value
            and self.message == other.message
        )


def text_limits(label: str, *, characters: int = 5000, lines: int | None = 50) -> list:
    """Validators for a long text field with GOV.UK messages: "Rationale must be 5,000
    characters or fewer", "Rationale must be 50 lines or fewer"."""
    validators = [
        MaxLengthValidator(
            characters, message=f"{label} must be {characters:,} characters or fewer"
        )
    ]
    if lines is not None:
        validators.append(
            MaxLinesValidator(lines, message=f"{label} must be {lines} lines or fewer")
        )
    return validators


def validators_of(model, field_name: str) -> list:
    """The validators of a model's field, for the form field that edits it: one rule, stated
    on the model."""
    return list(model._meta.get_field(field_name).validators)
