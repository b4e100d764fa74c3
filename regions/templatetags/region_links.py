"""`{% viewed_regions user as regions %}`: the regions a person views as a regional viewer, for
the links to their region pages (the home page)."""

from django import template

from regions.selectors import viewed_regions as _viewed_regions

register = template.Library()


@register.simple_tag
def viewed_regions(user) -> list:
    return _viewed_regions(user)
