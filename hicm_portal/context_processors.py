from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"SERVICE_NAME": settings.SERVICE_NAME}
