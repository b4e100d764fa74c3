"""Which system or framework each assessments model belongs to, for `hicm_portal.revisions`.

Registered in `AssessmentsConfig.ready()`. A test walks every model of the portal's apps and
fails when one is neither registered nor declared untracked with a reason.
"""

from django.contrib.auth import get_user_model

from assessments.models import (
    AuditEvent,
    Change,
    ChangeAction,
    Comment,
    Consensus,
    Crosswalk,
    Decision,
    Descriptor,
    Dissent,
    Framework,
    Group,
    Invitation,
    Level,
    Member,
    Partner,
    PartnerReturn,
    Rating,
    Region,
    RegionalViewer,
    ReminderSent,
    Round,
    System,
    SystemRole,
)
from hicm_portal import revisions
from hicm_portal.revisions import Touched, frameworks, roles_of_users, systems


def related_value(instance, name: str, model, value: str):
    """`instance.<name>.<value>`: from the related object when it is loaded, else one query."""
    cached = instance._state.fields_cache.get(name)
    if cached is not None:
        return getattr(cached, value)
    pk = getattr(instance, f"{name}_id")
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values_list(value, flat=True).first()


def system_of_round(instance) -> Touched:
    return systems(related_value(instance, "round", Round, "system_id"))


def framework_of_change(instance) -> Touched:
    return frameworks(related_value(instance, "change", Change, "framework_id"))


def system_of_consensus(instance) -> Touched:
    consensus = instance._state.fields_cache.get("consensus")
    if consensus is not None:
        return system_of_round(consensus)
    return systems(
        Consensus.objects.filter(pk=instance.consensus_id)
        .values_list("round__system_id", flat=True)
        .first()
    )


def systems_of_region(region_id) -> Touched:
    return systems(*System.objects.filter(region_id=region_id).values_list("pk", flat=True))


def systems_of_user(user) -> Touched:
    """A person's name and address appear on the pages of every system they take part in."""
    return systems(
        *Member.objects.filter(user=user).values_list("partner__system_id", flat=True),
        *SystemRole.objects.filter(user=user).values_list("system_id", flat=True),
    )


def _with(first: Touched, second: Touched) -> Touched:
    first.add(second)
    return first


def register() -> None:
    revisions.register(Framework, lambda f: frameworks(f.pk))
    for model in (Level, Group, Change):
        revisions.register(model, lambda i: frameworks(i.framework_id))
    for model in (ChangeAction, Descriptor):
        revisions.register(model, framework_of_change)
    revisions.register(
        Crosswalk,
        lambda c: frameworks(
            related_value(c, "from_change", Change, "framework_id"),
            related_value(c, "to_change", Change, "framework_id"),
        ),
    )
    revisions.register(Region, lambda r: systems_of_region(r.pk))
    revisions.register(
        RegionalViewer,
        lambda v: _with(systems_of_region(v.region_id), roles_of_users(v.user_id)),
    )
    revisions.register(System, lambda s: systems(s.pk))
    for model in (Partner, Invitation, Round):
        revisions.register(model, lambda i: systems(i.system_id))
    revisions.register(SystemRole, lambda r: _with(systems(r.system_id), roles_of_users(r.user_id)))
    revisions.register(
        Member,
        lambda m: _with(
            systems(related_value(m, "partner", Partner, "system_id")), roles_of_users(m.user_id)
        ),
    )
    for model in (PartnerReturn, Rating, Consensus, Comment, AuditEvent):
        revisions.register(model, system_of_round)
    for model in (Dissent, Decision):
        revisions.register(model, system_of_consensus)
    revisions.untracked(ReminderSent, "a record that a reminder went; no page shows it")
    revisions.register(get_user_model(), systems_of_user, ignore_fields=("last_login", "password"))
