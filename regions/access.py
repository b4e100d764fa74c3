"""How a region or national page checks who may read it, on the view's first line.

As everywhere in the portal (`assessments.access`): people who may not know of a thing get
404 and learn nothing; people who may see it but not do what the page does get 403. A region
is known to those who see one of its systems (its members, facilitators and steering members
see the region on their system's page), so they get 403; anyone else 404. The nation's pages
are refused with 404 to everyone but national viewers and site administrators.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from assessments.models import Region, System


def region_for(request: HttpRequest, slug: str) -> Region:
    """The region with this slug, if the person may read its pages (`regions.view_region`);
    403 if they see one of its systems but may not, 404 otherwise."""
    region = Region.objects.filter(slug=slug).first()
    if region is not None and request.user.has_perm("regions.view_region", region):
        return region
    if (
        region is not None
        and System.objects.visible_to(request.user).filter(region=region).exists()
    ):
        raise PermissionDenied
    raise Http404("No such region")


def nation_for(request: HttpRequest) -> None:
    """Let through national viewers and site administrators (`regions.view_nation`); 404 for
    everyone else."""
    if not request.user.has_perm("regions.view_nation"):
        raise Http404("No such page")
