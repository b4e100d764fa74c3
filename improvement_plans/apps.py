from django.apps import AppConfig


class ImprovementPlansConfig(AppConfig):
    name = "improvement_plans"
    verbose_name = "Improvement plans"

    def ready(self) -> None:
        from improvement_plans import revision_tracking

        revision_tracking.register()
