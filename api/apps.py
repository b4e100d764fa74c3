from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Read API"

    def ready(self) -> None:
        # Registers the token's scheme with drf-spectacular (an extension is found by import).
        from api import authentication  # noqa: F401
