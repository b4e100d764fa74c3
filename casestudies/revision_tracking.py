"""Case studies show beside the matching changes of every edition of a framework (through the
crosswalk), on the framework and plan pages: a change to one raises the revision of every
framework. They change rarely. Registered in `CasestudiesConfig.ready()`."""

from assessments.models import Framework
from casestudies.models import CaseStudy
from hicm_portal import revisions
from hicm_portal.revisions import frameworks


def register() -> None:
    revisions.register(
        CaseStudy, lambda _: frameworks(*Framework.objects.values_list("pk", flat=True))
    )
