"""Which system each improvement-plan model belongs to, for `hicm_portal.revisions`.
Registered in `ImprovementPlansConfig.ready()`."""

from assessments.revision_tracking import related_value, system_of_round
from hicm_portal import revisions
from hicm_portal.revisions import systems
from improvement_plans.models import (
    Action,
    ActionReminderSent,
    Investment,
    IssuedReturn,
    OverdueDigestSent,
    ProgressUpdate,
    ReturnNarrative,
)


def register() -> None:
    revisions.register(Action, lambda a: systems(a.system_id))
    revisions.register(
        ProgressUpdate, lambda u: systems(related_value(u, "action", Action, "system_id"))
    )
    for model in (Investment, ReturnNarrative, IssuedReturn):
        revisions.register(model, system_of_round)
    revisions.untracked(ActionReminderSent, "a record that a reminder went; no page shows it")
    revisions.untracked(OverdueDigestSent, "a record that a digest went; no page shows it")
