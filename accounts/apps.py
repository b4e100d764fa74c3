from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        # Receivers of django.contrib.auth's and django-allauth's sign-in signals.
        from accounts import sign_in  # noqa: F401
