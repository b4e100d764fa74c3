"""Who may read a region's pages and the nation's (read-only, agreed rounds only).

A region's pages: its regional viewers, national viewers and site administrators. The
nation's pages: national viewers and site administrators. Which systems and rounds they then
read is `System.objects.visible_to` and the agreed rounds of those systems (regions.selectors).
"""

import rules

from assessments.models import Region
from assessments.rules import is_national_viewer, is_site_administrator, roles_of


@rules.predicate
def views_region(user, region: Region | None) -> bool:
    return region is not None and region.pk in roles_of(user).viewer_of_regions


rules.add_perm("regions.view_region", views_region | is_national_viewer | is_site_administrator)
views_nation = is_national_viewer | is_site_administrator
rules.add_perm("regions.view_nation", views_nation)
# The same predicate as a rule, for asking without a 404 in view (the breadcrumbs, the API's
# region list): a denied has_perm goes on to Django's ModelBackend, which reads the person's
# permissions in two queries; a rule asks only the predicate.
rules.add_rule("regions.view_nation", views_nation)
