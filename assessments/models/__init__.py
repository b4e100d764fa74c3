"""Models of the assessments app.

A System is the tenant: nothing crosses between systems except for regional viewers of its region.
"""

from assessments.models.consensus import Comment, Consensus, Decision, Dissent
from assessments.models.frameworks import (
    Change,
    ChangeAction,
    Crosswalk,
    Descriptor,
    Framework,
    FrameworkVersion,
    Group,
    Level,
)
from assessments.models.people import (
    Invitation,
    Member,
    NationalViewer,
    Partner,
    Region,
    RegionalViewer,
    RoleChange,
    System,
    SystemQuerySet,
    SystemRole,
    hash_token,
)
from assessments.models.ratings import Rating
from assessments.models.rounds import (
    AuditEvent,
    PartnerReturn,
    PartnerReturnQuerySet,
    ReminderSent,
    Round,
    RoundQuerySet,
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
    "FrameworkVersion",
    "Group",
    "Invitation",
    "Level",
    "Member",
    "NationalViewer",
    "Partner",
    "PartnerReturn",
    "PartnerReturnQuerySet",
    "Rating",
    "Region",
    "RegionalViewer",
    "ReminderSent",
    "RoleChange",
    "Round",
    "RoundQuerySet",
    "System",
    "SystemQuerySet",
    "SystemRole",
    "hash_token",
]
