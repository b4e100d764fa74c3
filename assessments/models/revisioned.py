"""The `revision` counter that systems and frameworks carry (see `hicm_portal.revisions`)."""

from django.db import models

from hicm_portal.models import KeepsCounters


class Revisioned(KeepsCounters):
    """A model whose `revision` is raised by `hicm_portal.revisions` and never by a save."""

    revision = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Raised on every change to the data under it; keys cached page fragments.",
    )
    counter_fields = ("revision",)

    class Meta:
        abstract = True
