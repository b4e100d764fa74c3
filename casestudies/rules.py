"""Who may read and write the practice library.

Every logged-in person reads published case studies. Facilitators (of any system) and site
administrators add and edit them, and also see drafts. Roles come from
`assessments.rules.roles_of`, cached per request, so asking several of these on a page costs
the same as asking one.
"""

import rules

from assessments.rules import roles_of


@rules.predicate
def is_site_administrator(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def is_facilitator_anywhere(user) -> bool:
    return bool(user.is_authenticated and roles_of(user).facilitator_of)


@rules.predicate
def is_published(user, case_study) -> bool:
    return case_study is not None and case_study.status == "published"


can_edit_case_studies = is_site_administrator | is_facilitator_anywhere
can_view_case_study = rules.is_authenticated & (is_published | can_edit_case_studies)

rules.add_perm("casestudies.view_case_study", can_view_case_study)
rules.add_perm("casestudies.view_drafts", can_edit_case_studies)
rules.add_perm("casestudies.add_case_study", can_edit_case_studies)
rules.add_perm("casestudies.edit_case_study", can_edit_case_studies)
