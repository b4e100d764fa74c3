from django.apps import AppConfig


class HicmPortalConfig(AppConfig):
    name = "hicm_portal"
    verbose_name = "People"
