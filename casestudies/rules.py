"""Who may read and write the practice library.

Every logged-in person reads published case studies. A case study belongs to the system that
wrote it: only that system's facilitators change it (edit, unpublish) or see it as a draft. A
case study of no system is the shared library, curated by site administrators, who may change
every case study. Any facilitator, and any site administrator, may add one. Roles come from
`assessments.rules.roles_of`, cached per request, so asking several of these on a page costs
the same as asking one.
"""

import rules

from assessments.rules import is_site_administrator, roles_of


def systems_facilitated_by(user) -> frozenset[int]:
    """The ids of the systems this person facilitates: those whose case studies they own."""
    return roles_of(user).facilitator_of


@rules.predicate
def is_facilitator_anywhere(user) -> bool:
    return bool(systems_facilitated_by(user))


@rules.predicate
def is_published(user, case_study) -> bool:
    return case_study is not None and case_study.status == "published"


@rules.predicate
def is_facilitator_of_owner(user, case_study) -> bool:
    """The case study belongs to a system this person facilitates (the shared library belongs
    to no system, so to no facilitator)."""
    system_id = getattr(case_study, "system_id", None)
    return system_id is not None and system_id in systems_facilitated_by(user)


can_add_case_studies = is_site_administrator | is_facilitator_anywhere
can_edit_case_study = is_site_administrator | is_facilitator_of_owner
can_view_case_study = rules.is_authenticated & (is_published | can_edit_case_study)

rules.add_perm("casestudies.view_case_study", can_view_case_study)
rules.add_perm("casestudies.add_case_study", can_add_case_studies)
rules.add_perm("casestudies.edit_case_study", can_edit_case_study)
