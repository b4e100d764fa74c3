"""The `revision` counter that systems and frameworks carry (see `hicm_portal.revisions`)."""

from django.db import models


class Revisioned(models.Model):
    """A model whose `revision` is raised by `hicm_portal.revisions` and never by a save.

    A save of an instance loaded earlier leaves the counter alone: writing back the stale value
    would let a cached fragment of older data be served again.
    """

    revision = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Raised on every change to the data under it; keys cached page fragments.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "revision"
            ]
        super().save(*args, **kwargs)
