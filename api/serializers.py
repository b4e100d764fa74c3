"""The shapes the API answers with. Read-only: each describes what a view hands it (model
instances, or what a portal selector returns) and drf-spectacular reads them for the OpenAPI
description. Ids are public ones: UUIDs, slugs, framework keys and change codes."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from improvement_plans.models import Action, Rag


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LevelSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class LevelDefinitionSerializer(LevelSerializer):
    definition = serializers.CharField()


class FrameworkSerializer(serializers.Serializer):
    key = serializers.SlugField(help_text="The framework's stable key.")
    title = serializers.CharField()
    short_title = serializers.CharField()
    publisher = serializers.CharField()
    year = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The revision of the loaded content.")
    change_count = serializers.IntegerField(help_text="Its changes in use (not archived).")


class GroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()


class FrameworkActionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    points = serializers.ListField(child=serializers.CharField())


class DescriptorSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="The level's number.")
    text = serializers.CharField()
    own = serializers.BooleanField(
        help_text="The change's own descriptor; false where the level's definition stands."
    )


class ChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    i_statement = serializers.CharField()
    we_statement = serializers.CharField()
    tips = serializers.ListField(child=serializers.CharField())
    groups = GroupSerializer(many=True)
    actions = FrameworkActionSerializer(many=True)
    levels = DescriptorSerializer(many=True)


class FrameworkDetailSerializer(FrameworkSerializer):
    introduction = serializers.CharField()
    wording_version = serializers.IntegerField(
        allow_null=True, help_text="The wording version this content is (the newest)."
    )
    levels = LevelDefinitionSerializer(many=True, source="levels_shown")
    changes = ChangeSerializer(many=True, source="changes_shown")


class RegionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class PartnerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    type = serializers.CharField(source="partner_type")
    type_label = serializers.CharField(source="get_partner_type_display")
    other_types = serializers.ListField(child=serializers.CharField())
    ods_code = serializers.CharField()


class SystemSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    region = RegionSerializer()
    area_code = serializers.CharField(help_text="ONS code of its Health and Wellbeing Board area.")


class SystemDetailSerializer(SystemSerializer):
    partners = PartnerSerializer(many=True)


class RoundSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    system = serializers.SlugField(source="system.slug")
    framework = serializers.SlugField(source="framework.key")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    recorded_afterwards = serializers.BooleanField()
    previous_round = serializers.UUIDField(
        source="previous_round.public_id", allow_null=True, default=None
    )
    opened_at = serializers.DateTimeField(allow_null=True)
    revealed_at = serializers.DateTimeField(allow_null=True)
    agreed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class RoundDetailSerializer(RoundSerializer):
    partners = PartnerSerializer(many=True, source="taking_part")


class AgreedLevelSerializer(serializers.Serializer):
    """A change's agreed level in an agreed round (approval_rows' row)."""

    code = serializers.CharField(source="change.code")
    title = serializers.CharField(source="change.title")
    level = LevelSerializer(source="consensus.level")
    planned_level = LevelSerializer(source="consensus.planned_level", allow_null=True)
    planned_by = serializers.DateField(source="consensus.planned_by", allow_null=True)
    rationale = serializers.CharField(source="consensus.rationale")
    challenges = serializers.CharField(source="consensus.challenges")
    milestones = serializers.CharField(source="consensus.milestones")
    support_needs = serializers.CharField(source="consensus.support_needs")


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


class RatingSerializer(serializers.Serializer):
    """One partner's rating of one change."""

    change = serializers.CharField(help_text="The change's code.")
    partner = serializers.UUIDField()
    partner_name = serializers.CharField()
    level = LevelSerializer(allow_null=True)
    confidence = serializers.CharField()
    rationale = serializers.CharField()
    evidence = EvidenceSerializer(many=True)


class ProgressUpdateSerializer(serializers.Serializer):
    on = serializers.DateField()
    author = serializers.CharField(source="author.get_full_name")
    note = serializers.CharField()
    new_status = serializers.CharField()
    new_rag = serializers.CharField()
    created_at = serializers.DateTimeField()


class ActionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    system = serializers.SlugField(source="system.slug")
    change = serializers.CharField(source="change.code")
    framework = serializers.SlugField(source="change.framework.key")
    lead_partner = serializers.UUIDField(source="lead_partner.public_id")
    lead_partner_name = serializers.CharField(source="lead_partner.name")
    owner = serializers.CharField(source="owner.get_full_name")
    start_date = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=Action.Status.choices)
    rag = serializers.SerializerMethodField()
    rag_overridden = serializers.SerializerMethodField()
    target_level = LevelSerializer(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=[*Rag.choices, ("", "None")]))
    def get_rag(self, action: Action) -> str:
        return action.rag()

    def get_rag_overridden(self, action: Action) -> bool:
        return bool(action.rag_override)


class ActionDetailSerializer(ActionSerializer):
    description = serializers.CharField()
    contributing_partners = PartnerSerializer(many=True)
    investments = serializers.SerializerMethodField()
    updates = ProgressUpdateSerializer(many=True, source="timeline")

    def get_investments(self, action: Action) -> list[str]:
        return [str(investment.public_id) for investment in action.investments.all()]


class ProgressInputSerializer(serializers.Serializer):
    """What posting progress takes: the same fields as the action page's form."""

    note = serializers.CharField(help_text="What has happened.", allow_blank=True)
    on = serializers.DateField(
        required=False, allow_null=True, help_text="The date of the update; today if left out."
    )
    new_status = serializers.ChoiceField(
        choices=["", *Action.Status.values], required=False, default=""
    )
    new_rag = serializers.ChoiceField(
        choices=["", "auto", *Rag.values],
        required=False,
        default="",
        help_text="A RAG status to set, with the note as the reason; auto: from the dates.",
    )


class FundingLineSerializer(serializers.Serializer):
    source = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class InvestmentChangeSerializer(serializers.Serializer):
    change = serializers.CharField(help_text="The change's code in this round's framework.")
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class InvestmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    scheme = serializers.CharField()
    financial_year = serializers.CharField(source="year")
    ongoing = serializers.BooleanField()
    carried_from = serializers.CharField(help_text="The earlier plan's round it carries from.")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    funding_lines = FundingLineSerializer(many=True)
    changes = InvestmentChangeSerializer(many=True)


class PlanSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    actions = ActionSerializer(many=True)
    investments = InvestmentSerializer(many=True)
    total_investment = serializers.DecimalField(max_digits=14, decimal_places=2)


class IssuedReturnFilesSerializer(serializers.Serializer):
    pdf = serializers.CharField()
    xlsx = serializers.CharField()
    docx = serializers.CharField()


class IssuedReturnSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    round = serializers.UUIDField(source="round.public_id")
    version = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    checksum = serializers.CharField(help_text="SHA-256 of the issued data.")
    files = serializers.SerializerMethodField(
        help_text="Where to download the files, with the same token or session."
    )

    @extend_schema_field(IssuedReturnFilesSerializer)
    def get_files(self, issued) -> dict:
        request = self.context.get("request")

        def link(file_format: str) -> str:
            path = reverse("api:issued_return_file", args=[issued.public_id, file_format])
            return request.build_absolute_uri(path) if request else path

        return {
            "pdf": link("pdf"),
            "xlsx": link("xlsx"),
            "docx": link("docx"),
        }


class ChangeSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Level number → how many systems are at it."
    )
    established_or_better = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    systems = serializers.IntegerField()
    previous_established_or_better = serializers.IntegerField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    region = RegionSerializer(allow_null=True)
    framework = serializers.SlugField()
    filters = serializers.CharField(help_text="The filters applied, in words.")
    changes = ChangeSummarySerializer(many=True)
