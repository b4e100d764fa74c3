"""The API's actions: those of the systems a person sees (`Action.objects.visible_to`), and its
one write, posting progress, through the action page's service (`progress_post`)."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.views import by_system_and_status
from improvement_plans import selectors as plan_selectors
from improvement_plans.access import action_for
from improvement_plans.models import Action
from improvement_plans.services import progress_post

ACTION_FILTERS = [
    OpenApiParameter("system", OpenApiTypes.STR, description="A system's slug."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Action.Status.values),
]


def _actions(user):
    return Action.objects.visible_to(user).select_related(
        "system", "change__framework", "lead_partner", "owner", "target_level"
    )


@extend_schema(parameters=ACTION_FILTERS)
class ActionList(generics.ListAPIView):
    serializer_class = s.ActionSerializer

    def get_queryset(self):
        actions = _actions(self.request.user).order_by("due_date", "title", "pk")
        return by_system_and_status(actions, self.request.query_params)


class ActionDetail(generics.RetrieveAPIView):
    """An action with its contributing partners, investments and progress, newest first."""

    serializer_class = s.ActionDetailSerializer

    def get_object(self):
        action = action_for(self.request, self.kwargs["public_id"])
        action.timeline = plan_selectors.action_timeline(action)
        return action


class ActionProgress(APIView):
    """Post progress on an action, as its page's form does: the person must be allowed to
    post on it (its owner, a facilitator, a member of its lead or a contributing partner)."""

    @extend_schema(
        request=s.ProgressInputSerializer,
        responses={201: s.ProgressUpdateSerializer},
        description="Post progress on an action (the one write of the API). A problem with "
        "what is sent is a 400 naming the field.",
    )
    def post(self, request, public_id):
        action = action_for(request, public_id, "improvement_plans.post_progress")
        given = s.ProgressInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            update = progress_post(
                action=action,
                author=request.user,
                note=given.validated_data["note"],
                new_status=given.validated_data["new_status"],
                new_rag=given.validated_data["new_rag"],
                on=given.validated_data.get("on"),
            )
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return Response(s.ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


def _errors(error: ValidationError) -> dict:
    """A service's ValidationError as DRF writes its own: field → list of messages."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}
