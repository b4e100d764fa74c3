"""A checked upload confirmed: every row saved in one transaction, or none, or a choice to make.

Each row goes through the rating form's own service (`round_services.rating_save`): the same
checks, history and version check. A rating saved by someone else since the preview stops the
upload, and the person chooses between the versions (`upload_resolve`).
"""

from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from assessments.models import PartnerReturn, Rating, Round
from assessments.round_services import RETURN_NOT_OPEN, RatingConflict, RatingInput, rating_save
from assessments.selectors import live_changes
from assessments.spreadsheets.preview import ParsedUpload, UploadRow

# Written to each rating's history, so the history says where the change came from.
UPLOAD_CHANGE_REASON = "uploaded from a spreadsheet"

# What people are told, in GOV.UK style.
UPLOAD_HAS_ERRORS = "Fix the problems in the spreadsheet and upload it again."
UPLOAD_OUT_OF_DATE = (
    "The framework has changed since the spreadsheet was checked. Upload the spreadsheet again."
)
UPLOAD_CONFLICTS = (
    "Someone else saved some of these ratings after you uploaded the spreadsheet. "
    "Nothing has been saved yet: choose which version of each to keep."
)


@dataclass
class UploadConflict:
    """A row of an upload whose rating someone saved after the preview: both versions."""

    row: UploadRow
    mine: RatingInput
    saved: Rating | None


class UploadConflicts(Exception):
    """An upload met ratings saved since its preview, so nothing of it was saved."""

    def __init__(self, conflicts: list[UploadConflict]):
        super().__init__(UPLOAD_CONFLICTS)
        self.conflicts = conflicts


def upload_apply(partner_return: PartnerReturn, parsed: ParsedUpload, saved_by) -> int:
    """Save every row of a checked upload in one transaction, and say how many were saved.

    Each row is saved by `rating_save`, the rating form's service, over the version the preview
    saw. All or nothing: if any row fails, no rating changes; if any rating was saved by someone
    else since the preview, UploadConflicts carries every such rating with both versions, so the
    person can choose. The history records that the rating came from a spreadsheet.
    """
    if not saved_by.has_perm("assessments.rate", partner_return):
        raise PermissionDenied
    if parsed.has_errors:
        raise ValidationError(UPLOAD_HAS_ERRORS)
    round_ = partner_return.round
    conflicts: list[UploadConflict] = []
    with transaction.atomic():
        locked = PartnerReturn.objects.select_for_update().get(pk=partner_return.pk)
        if (
            locked.submitted_at is not None
            or not Round.objects.filter(pk=locked.round_id, status=Round.Status.RATING).exists()
        ):
            raise ValidationError(RETURN_NOT_OPEN)
        changes = {change.pk: change for change in live_changes(round_)}
        levels = {level.pk: level for level in round_.framework.levels.all()}
        for row in parsed.rows:
            change = changes.get(row.change_id)
            level = levels.get(row.level_id)
            if change is None or level is None:
                raise ValidationError(UPLOAD_OUT_OF_DATE)
            mine = RatingInput(
                level=level,
                rationale=row.rationale,
                evidence=row.evidence,
                confidence=row.confidence,
            )
            try:
                rating_save(
                    partner_return=partner_return,
                    change=change,
                    data=mine,
                    saved_by=saved_by,
                    expected_version=row.version,
                    change_reason=UPLOAD_CHANGE_REASON,
                )
            except RatingConflict as conflict:
                conflicts.append(UploadConflict(row=row, mine=mine, saved=conflict.saved))
        if conflicts:
            raise UploadConflicts(conflicts)  # and the rows saved so far are rolled back
    return len(parsed.rows)


def upload_resolve(parsed: ParsedUpload, choices: dict[int, tuple[str, int]]) -> ParsedUpload:
    """The upload after the person chose between versions, per change id: ("mine", version of
    the saved rating they saw) saves their row over that version; ("saved", _) drops the row,
    keeping the saved rating. Rows without a choice are kept as they were."""
    rows = []
    for row in parsed.rows:
        choice, seen_version = choices.get(row.change_id, ("", row.version))
        if choice == "saved":
            continue
        if choice == "mine":
            row = replace(row, version=seen_version)
        rows.append(row)
    return ParsedUpload(rows=rows, problems=list(parsed.problems))
