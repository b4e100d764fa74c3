"""The forms of the assessments app, in modules by what they serve: `base` (shared by every
app's forms), `people`, `rounds` (a round's set-up), `ratings` (rating a change, uploading the
spreadsheet) and `consensus`. Every form is also importable from here."""

from assessments.forms.base import GovDateField, PortalForm, add_service_errors
from assessments.forms.consensus import (
    AttendanceForm,
    CommentForm,
    ProposalForm,
    ReturnDecisionForm,
)
from assessments.forms.people import InvitationForm, SetPasswordForm
from assessments.forms.ratings import EVIDENCE_ROWS, RatingForm, UploadForm
from assessments.forms.rounds import RoundForm

__all__ = [
    "EVIDENCE_ROWS",
    "AttendanceForm",
    "CommentForm",
    "GovDateField",
    "InvitationForm",
    "PortalForm",
    "ProposalForm",
    "RatingForm",
    "ReturnDecisionForm",
    "RoundForm",
    "SetPasswordForm",
    "UploadForm",
    "add_service_errors",
]
