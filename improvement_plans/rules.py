"""Who may read and change improvement plans.

Facilitators manage the whole plan; an action's owner and the members of its lead partner
update it; the members of its contributing partners post progress on it; steering committee
members and regional viewers read.
"""

import rules

from assessments.rules import (
    can_view_review,
    can_view_system,
    is_facilitator,
    roles_of,
)


@rules.predicate
def can_view_plan(user, round_) -> bool:
    return round_ is not None and round_.is_agreed and can_view_review(user, round_)


@rules.predicate
def can_manage_plan(user, round_) -> bool:
    return round_ is not None and round_.is_agreed and is_facilitator(user, round_.system)


@rules.predicate
def can_view_action(user, action) -> bool:
    return action is not None and can_view_system(user, action.system)


@rules.predicate
def can_update_action(user, action) -> bool:
    if action is None:
        return False
    if action.owner_id == user.pk or is_facilitator(user, action.system):
        return True
    lead = action.lead_partner
    return lead.pk in roles_of(user).partner_ids_by_system.get(lead.system_id, frozenset())


@rules.predicate
def is_contributing_member(user, action) -> bool:
    """A member of one of the action's contributing partners (read from the prefetched
    partners when the action carries them)."""
    if action is None:
        return False
    mine = roles_of(user).partner_ids_by_system.get(action.system_id, frozenset())
    return any(partner.pk in mine for partner in action.contributing_partners.all())


@rules.predicate
def is_action_facilitator(user, action) -> bool:
    return action is not None and is_facilitator(user, action.system)


rules.add_perm("improvement_plans.view_plan", can_view_plan)
rules.add_perm("improvement_plans.manage_plan", can_manage_plan)
rules.add_perm("improvement_plans.view_action", can_view_action)
rules.add_perm("improvement_plans.update_action", can_update_action)
rules.add_perm("improvement_plans.post_progress", can_update_action | is_contributing_member)
rules.add_perm("improvement_plans.manage_action", is_action_facilitator)
rules.add_perm("improvement_plans.view_system_actions", can_view_system)
