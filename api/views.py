"""The API's views of frameworks, systems and rounds (actions: `api.action_views`; regions and
the nation: `api.region_views`). Read-only, as is all of the API but posting progress.

Each view gets what it is about as the matching page does, on its first line, through the
portal's own access helpers (`assessments.access`, `improvement_plans.access`,
`regions.access`): who may see a thing is part of the query, outsiders get 404, people who may
see it but not use it 403. Lists are the `visible_to` querysets the pages use; shaped reads
come from the portal's selectors. A partner's ratings are read only through the selectors
that keep them blind (`RatingList`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from assessments.access import round_for, system_for
from assessments.framework_content import content_of
from assessments.models import Framework, Partner, Round, System
from assessments.review_selectors import approval_rows
from assessments.selectors import own_returns, task_rows
from improvement_plans import documents
from improvement_plans import selectors as plan_selectors
from improvement_plans.access import issued_return_for
from improvement_plans.models import Document, IssuedReturn

# ---------------------------------------------------------------------------------------------
# Frameworks: every signed-in person reads the library, as on its pages.


class FrameworkList(generics.ListAPIView):
    serializer_class = s.FrameworkSerializer

    def get_queryset(self):
        return Framework.objects.annotate(
            change_count=Count("changes", filter=Q(changes__archived=False))
        ).order_by("short_title", "-year")


class FrameworkDetail(generics.RetrieveAPIView):
    """A framework with its levels and its changes in use, each with its groups, framework
    actions and what it looks like at each level: its newest wording."""

    serializer_class = s.FrameworkDetailSerializer

    def get_object(self):
        framework = get_object_or_404(
            Framework.objects.annotate(
                change_count=Count("changes", filter=Q(changes__archived=False))
            ),
            key=self.kwargs["key"],
        )
        content = content_of(framework)
        framework.wording_version = content.version_number
        framework.levels_shown = content.levels
        framework.changes_shown = [
            {
                "code": change.code,
                "title": change.title,
                "kind": change.kind,
                "summary": change.summary,
                "i_statement": change.i_statement,
                "we_statement": change.we_statement,
                "tips": change.tips,
                "groups": content.groups.get(change.pk, []),
                "actions": content.actions.get(change.pk, []),
                "levels": [
                    {"level": level.number, "text": text, "own": own}
                    for level, text, own in content.hints(change)
                ],
            }
            for change in content.live_changes
        ]
        return framework


# ---------------------------------------------------------------------------------------------
# Systems and partners: the systems a person sees (`System.objects.visible_to`).


class SystemList(generics.ListAPIView):
    serializer_class = s.SystemSerializer

    def get_queryset(self):
        return System.objects.visible_to(self.request.user).select_related("region")


class SystemDetail(generics.RetrieveAPIView):
    serializer_class = s.SystemDetailSerializer

    def get_object(self):
        return system_for(self.request, self.kwargs["slug"])


class SystemRoundList(generics.ListAPIView):
    """The rounds of a system the person may see: drafts for its facilitators only, agreed
    rounds only for regional and national viewers."""

    serializer_class = s.RoundSerializer

    def get_queryset(self):
        system = system_for(self.request, self.kwargs["slug"])
        return _rounds(self.request.user).filter(system=system)


# ---------------------------------------------------------------------------------------------
# Rounds (`Round.objects.visible_to`), their agreed levels, plans and issued returns.


def by_system_and_status(queryset, params):
    """A list's `?system=<slug>` and `?status=<value>` filters (rounds, actions), where given."""
    if params.get("system"):
        queryset = queryset.filter(system__slug=params["system"])
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    return queryset


def _rounds(user):
    return Round.objects.visible_to(user).select_related("system", "framework", "previous_round")


ROUND_FILTERS = [
    OpenApiParameter("system", OpenApiTypes.STR, description="A system's slug."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Round.Status.values),
]


@extend_schema(parameters=ROUND_FILTERS)
class RoundList(generics.ListAPIView):
    serializer_class = s.RoundSerializer

    def get_queryset(self):
        rounds = _rounds(self.request.user).order_by("system__name", "-opens_on", "-created_at")
        return by_system_and_status(rounds, self.request.query_params)


class RoundDetail(generics.RetrieveAPIView):
    """A round, its state and the partners taking part."""

    serializer_class = s.RoundDetailSerializer

    def get_object(self):
        round_ = round_for(self.request, self.kwargs["public_id"])
        round_.taking_part = list(Partner.objects.filter(returns__round=round_).order_by("name"))
        if round_.previous_round_id:
            round_.previous_round = Round.objects.only("public_id").get(pk=round_.previous_round_id)
        return round_


class AgreedLevelList(generics.ListAPIView):
    """The agreed and planned level of each change of an agreed round, in the wording the
    round was agreed in. 404 until the round is agreed."""

    serializer_class = s.AgreedLevelSerializer
    pagination_class = None

    def get_queryset(self):
        round_ = round_for(self.request, self.kwargs["public_id"], "assessments.view_review")
        _require_agreed(round_)
        return [
            row
            for row in approval_rows(round_, self.request.user, ratings=False)
            if row.consensus is not None
        ]


class RatingList(generics.ListAPIView):
    """The partners' ratings of a round, as its pages show them. Once it is revealed, every
    partner's that gave its voice, to those who read its review (`approval_rows`, as the
    consensus record prints them). Before that, blind rating: only your own partners' ratings
    (their task list, `task_rows`); anyone else who sees the round gets 403."""

    serializer_class = s.RatingSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        round_ = round_for(self.request, self.kwargs["public_id"])
        if user.has_perm("assessments.view_review", round_):
            return _revealed_ratings(round_, user)
        own = [
            partner_return
            for partner_return in own_returns(user, round_)
            if user.has_perm("assessments.view_return", partner_return)
        ]
        if not own:
            raise PermissionDenied
        return [
            _rating(row.change.code, partner_return.partner, row.rating)
            for partner_return in own
            for row in task_rows(partner_return)
            if row.rating is not None
        ]


def _revealed_ratings(round_: Round, user) -> list[dict]:
    public_ids = dict(Partner.objects.filter(returns__round=round_).values_list("pk", "public_id"))
    return [
        _rating(
            row.change.code,
            cell.partner_return.partner,
            cell.rating,
            public_id=public_ids[cell.partner_return.partner_id],
        )
        for row in approval_rows(round_, user, ratings=True)
        for cell in row.cells
        if cell.rating is not None
    ]


def _rating(code: str, partner: Partner, rating, *, public_id=None) -> dict:
    return {
        "change": code,
        "partner": public_id or partner.public_id,
        "partner_name": partner.name,
        "level": rating.level,
        "confidence": rating.confidence,
        "rationale": rating.rationale,
        "evidence": rating.evidence,
    }


class Plan(generics.RetrieveAPIView):
    """The improvement plan of an agreed round: its actions (those added to it and the open
    actions carried from earlier plans) and its investments."""

    serializer_class = s.PlanSerializer

    def get_object(self):
        round_ = round_for(self.request, self.kwargs["public_id"], "improvement_plans.view_plan")
        actions = list(
            plan_selectors.plan_actions(round_)
            .select_related("system", "change__framework", "lead_partner__system")
            .order_by("due_date", "title", "pk")
        )
        investments = plan_selectors.plan_investments(round_)
        return {
            "round": round_.public_id,
            "actions": actions,
            "investments": [
                {
                    **investment,
                    "funding_lines": [
                        {"source": source, "amount": amount}
                        for source, amount in investment["lines"]
                    ],
                    "changes": [
                        {"change": code, "allocated": amount}
                        for _id, code, amount in investment["links"]
                    ],
                }
                for investment in investments
            ],
            "total_investment": plan_selectors.investment_totals(investments)["total"],
        }


def _issued_returns():
    # Without the snapshot's files and data: a list shows their metadata and links only.
    return IssuedReturn.objects.select_related("round").defer(
        "data", "html", "pdf", "xlsx", "docx", "round__cancel_reason", "round__attendance_note"
    )


class RoundIssuedReturnList(generics.ListAPIView):
    """The issued versions of a round's BCF return, newest first."""

    serializer_class = s.IssuedReturnSerializer
    pagination_class = None

    def get_queryset(self):
        round_ = round_for(self.request, self.kwargs["public_id"], "improvement_plans.view_plan")
        return _issued_returns().filter(round=round_).order_by("-version")


class IssuedReturnDetail(generics.RetrieveAPIView):
    serializer_class = s.IssuedReturnSerializer

    def get_object(self):
        # As its download page decides.
        return issued_return_for(self.request, self.kwargs["issued_id"])


class FileContentNegotiation(BaseContentNegotiation):
    """A file is a file whatever the client accepts; only the errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class IssuedReturnFile(APIView):
    """An issued return's file (pdf, xlsx or docx), from its snapshot, with the same token or
    session as the rest of the API and the same access as its download page. A file the worker
    has not built yet is queued, as its page queues it: the answer is then 202, with
    Retry-After."""

    content_negotiation_class = FileContentNegotiation

    @extend_schema(
        operation_id="returns_file_retrieve",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            202: s.DetailSerializer,
        },
    )
    def get(self, request, issued_id, file_format):
        issued = issued_return_for(request, issued_id)
        if file_format not in Document.Format.values:
            raise Http404("No such file type")
        content = getattr(issued, file_format)
        if not content:
            documents.issued_document(issued=issued, fmt=file_format, requested_by=request.user)
            return Response(
                {"detail": "The file is being built: ask again in a few seconds."},
                status=202,
                headers={"Retry-After": "5"},
            )
        name = documents.issued_return_name(issued.round, issued.version)
        response = HttpResponse(bytes(content), content_type=documents.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
        return response


def _require_agreed(round_: Round) -> None:
    if not round_.is_agreed:
        raise Http404("This round is not agreed yet")
