"""Models of the assessments app.

A System is the tenant: nothing crosses between systems except for regional viewers of its region.
"""

from assessments.models.frameworks import (
    Change,
    ChangeAction,
    Crosswalk,
    Descriptor,
    Framework,
    Group,
    Level,
)
from assessments.models.people import (
    Invitation,
    Member,
    Partner,
    Region,
    RegionalViewer,
    System,
    SystemQuerySet,
    SystemRole,
    hash_token,
)
from assessments.models.rounds import (
    AuditEvent,
    Comment,
    Consensus,
    Decision,
    Dissent,
    PartnerReturn,
    Rating,
    ReminderSent,
    Round,
)

__all__ = [
    "AuditEvent",
    "Change",
    "Comment",
    "Decision",
    "Dissent",
    "ChangeAction",
    "Consensus",
    "Crosswalk",
    "Descriptor",
    "Framework",
    "Group",
    "Invitation",
    "Level",
    "Member",
    "Partner",
    "PartnerReturn",
    "Rating",
    "Region",
    "RegionalViewer",
    "ReminderSent",
    "Round",
    "System",
    "SystemQuerySet",
    "SystemRole",
    "hash_token",
]
