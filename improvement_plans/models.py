"""Improvement plans: actions for the gaps an agreed round leaves, their progress, and the
Better Care Fund investment behind them.

An action belongs to a system and to the plans (rounds) it is part of: when a new round starts
from an agreed one, its open actions are linked into the new plan, not copied.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models import Change, ChangeAction, Level, Partner, Round, System
from assessments.models.people import visible_systems_q
from assessments.models.rounds import visible_rounds_q
from hicm_portal.validators import text_limits

# An action not started within this many days of its due date is at risk (amber).
AMBER_WITHIN_DAYS = 14
# Each part of a return's narrative (hicm_portal.validators says why text is bounded).
NARRATIVE_LIMITS = {"characters": 10_000, "lines": 100}


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ActionQuerySet":
        """The actions of the systems a person may see (`visible_systems_q`)."""
        return self.filter(visible_systems_q(user, via="system__"))


class Action(models.Model):
    """Improvement work for one change's gap."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="actions")
    rounds = models.ManyToManyField(Round, related_name="plan_actions")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="plan_actions")
    target_level = models.ForeignKey(
        Level,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The level this action helps reach.",
    )
    template = models.ForeignKey(
        ChangeAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
        help_text="The framework action this was created from.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lead_partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="led_actions")
    contributing_partners = models.ManyToManyField(
        Partner, blank=True, related_name="contributed_actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    start_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    rag_override = models.CharField("RAG override", max_length=5, choices=Rag.choices, blank=True)
    rag_override_reason = models.TextField(blank=True)
    investments = models.ManyToManyField("Investment", blank=True, related_name="actions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")), name="action_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_override_reason=""),
                name="action_rag_override_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["system", "status", "due_date"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())

    def derived_rag(self, today: date | None = None) -> str:
        """RAG from dates and status: red when blocked or overdue, amber when it should have
        started or is due soon without being under way, green otherwise; none when cancelled."""
        today = today or timezone.localdate()
        if self.status == self.Status.CANCELLED:
            return ""
        if self.status == self.Status.DONE:
            return Rag.GREEN
        if self.status == self.Status.BLOCKED or self.due_date < today:
            return Rag.RED
        if self.status == self.Status.NOT_STARTED and (
            self.start_date < today or self.due_date <= today + timedelta(days=AMBER_WITHIN_DAYS)
        ):
            return Rag.AMBER
        return Rag.GREEN

    def rag(self, today: date | None = None) -> str:
        return self.rag_override or self.derived_rag(today)


class ProgressUpdate(models.Model):
    """A dated note on an action, optionally changing its status or RAG."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(default=timezone.localdate)
    note = models.TextField()
    new_status = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    new_rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-created_at"]

    def __str__(self) -> str:
        return f"Update on {self.action} ({self.on})"


def financial_year_of(day: date) -> str:
    """The financial year a day falls in, written as schemes write it: 12 September 2019 ->
    "2019/20" (a financial year runs from 1 April to 31 March)."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def open_on(day: date) -> Q:
    """The schemes still open on a day: marked ongoing, or whose financial year has not ended
    by then ("2026/27" ends on 31 March 2027). Financial years written "2026/27" sort as text
    in the order of time."""
    return Q(ongoing=True) | Q(financial_year__gte=financial_year_of(day))


class InvestmentQuerySet(models.QuerySet):
    def open_on(self, day: date) -> "InvestmentQuerySet":
        """The schemes still open on a day (`open_on`)."""
        return self.filter(open_on(day))

    def with_total(self) -> "InvestmentQuerySet":
        """Each scheme with `total`, the sum of its funding lines (a subquery, so joins to the
        changes it serves never count a line twice)."""
        lines = (
            FundingLine.objects.filter(investment=OuterRef("pk"))
            .order_by()
            .values("investment")
            .annotate(sum=Sum("amount"))
            .values("sum")
        )
        return self.annotate(
            total=Coalesce(
                Subquery(lines, output_field=models.DecimalField(max_digits=14, decimal_places=2)),
                Value(Decimal("0")),
                output_field=models.DecimalField(max_digits=14, decimal_places=2),
            )
        )


class Investment(models.Model):
    """A scheme of a plan: its money comes from one or more funding lines (`FundingLine`; the
    scheme's total is their sum, computed, never stored) and serves one or more changes, with
    an optional allocation of the money across them (`InvestmentChange.amount`).

    A scheme is added to one round's plan (`round`) and carries into the plans that start from
    it while it is open (`InvestmentQuerySet.open_on`), as open actions do: the same row,
    never copied."""

    class Source(models.TextChoices):
        BCF = "bcf", "Better Care Fund"
        IBCF = "ibcf", "Improved Better Care Fund (iBCF)"
        DFG = "dfg", "Disabled Facilities Grant"
        DISCHARGE = "discharge", "Discharge funding"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        related_name="investments",
        help_text="The plan the scheme was added to; it carries into later plans while open.",
    )
    scheme_name = models.CharField(max_length=200)
    financial_year = models.CharField(
        max_length=7,
        validators=[RegexValidator(r"^20\d\d/\d\d$", "Enter the financial year like 2026/27")],
    )
    ongoing = models.BooleanField(
        default=False,
        help_text="An ongoing scheme carries into later plans after its financial year ends.",
    )
    changes = models.ManyToManyField(Change, through="InvestmentChange", related_name="investments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = InvestmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year", "scheme_name"]

    def __str__(self) -> str:
        return self.scheme_name


class FundingLine(models.Model):
    """Part of a scheme's money: how much comes from one source."""

    investment = models.ForeignKey(
        Investment, on_delete=models.CASCADE, related_name="funding_lines"
    )
    source = models.CharField(max_length=10, choices=Investment.Source.choices)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_line_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: £{self.amount:,.2f}"


class InvestmentChange(models.Model):
    """A change a scheme serves and, when the scheme's money is allocated across its changes,
    the part allocated to this one (the allocations of a scheme add up to its total; the
    service checks). Empty when the scheme serves its changes unallocated.

    The table is the one Django made for the plain many-to-many field before allocations."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE)
    change = models.ForeignKey(Change, on_delete=models.CASCADE)
    amount = models.DecimalField(
        "allocated amount", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        db_table = "improvement_plans_investment_changes"
        unique_together = [("investment", "change")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="allocation_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.investment_id} → {self.change_id}"


class Measure(models.Model):
    """A system's own measure of one change's progress, e.g. "average reablement episode, days:
    23 → 15": a baseline, the latest value and a target."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="measures")
    change = models.ForeignKey(Change, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True, help_text="e.g. days, %, people a week")
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2)
    baseline_on = models.DateField()
    latest_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    latest_on = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["change", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "change", "name"], name="measure_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(latest_value__isnull=True) | Q(latest_on__isnull=False),
                name="measure_latest_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActionReminderSent(models.Model):
    """One "due within 7 days" reminder per action and due date."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "due_date"], name="one_due_reminder")
        ]

    def __str__(self) -> str:
        return f"Due reminder for {self.action_id} ({self.due_date})"


class OverdueDigestSent(models.Model):
    """One weekly digest of overdue actions per partner and ISO week."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)  # e.g. 2026-W48
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "week"], name="one_digest_a_week")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.partner_id} ({self.week})"


class ReturnNarrative(models.Model):
    """The facilitator's draft narrative for a round's BCF return, under the three prompts of
    a BCF appendix."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="return_narrative")
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The return's title; left empty, \"Appendix C – \" and the framework's name.",
    )
    show_level_numbers = models.BooleanField(
        default=False, help_text="Write each level's number before its name in the levels table."
    )
    performance_issues = models.TextField(
        "current performance issues to be addressed",
        blank=True,
        validators=text_limits("Current performance issues", **NARRATIVE_LIMITS),
    )
    changes_to_embed = models.TextField(
        "the changes to embed further, including commitments on reablement and care homes",
        blank=True,
        validators=text_limits("The changes to embed further", **NARRATIVE_LIMITS),
    )
    anticipated_improvements = models.TextField(
        "anticipated improvements",
        blank=True,
        validators=text_limits("Anticipated improvements", **NARRATIVE_LIMITS),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Return narrative for {self.round}"


class IssuedReturnQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IssuedReturnQuerySet":
        """The issued returns of the rounds a person may see (`visible_rounds_q`)."""
        return self.filter(visible_rounds_q(user, via="round__"))


class IssuedReturn(models.Model):
    """An issued BCF return: a frozen snapshot of its data and its rendered files.

    Downloads come from here, so later edits to the plan never change an issued return; the
    checksum lets anyone confirm a file is the one issued.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="issued_returns")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    html = models.TextField()
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    docx = models.BinaryField(blank=True, default=b"")
    checksum = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    objects = IssuedReturnQuerySet.as_manager()

    class Meta:
        ordering = ["round", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="issued_return_version")
        ]

    def __str__(self) -> str:
        return f"{self.round} return, version {self.version}"


class Document(models.Model):
    """A PDF or workbook built by the task worker, once per version of the data it shows.

    `data_key` is a SHA-256 of that data: a download asks for the document of the data as it is
    now and gets the stored one when it was built before; the unique constraint means two
    requests at once never build it twice (`improvement_plans.documents`). A document of an
    issued return is built into the return's snapshot (`IssuedReturn.pdf`, `.xlsx`), which its
    checksum and backups cover; every other document keeps its bytes in `content`.
    """

    class Kind(models.TextChoices):
        CONSENSUS_RECORD = "consensus_record", "Consensus record"
        DRAFT_RETURN = "draft_return", "Draft return"
        ISSUED_RETURN = "issued_return", "Issued return"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"
        DOCX = "docx", "Word"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="documents")
    issued_return = models.ForeignKey(
        IssuedReturn,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    data_key = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    content = models.BinaryField(blank=True, default=b"")
    size = models.PositiveIntegerField(default=0)
    checksum = models.CharField("SHA-256 of the file", max_length=64, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "file_format", "data_key"], name="one_document_per_data"
            ),
            models.CheckConstraint(
                condition=Q(kind="issued_return", issued_return__isnull=False)
                | (~Q(kind="issued_return") & Q(issued_return__isnull=True)),
                name="document_of_an_issued_return_names_it",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_file_format_display()}) of {self.round}"

    def is_stuck(self, now=None) -> bool:
        """Still building long after the worker's limit: its worker stopped, or the build hangs."""
        limit = timedelta(seconds=settings.DOCUMENT_TIMEOUT_SECONDS)
        return (
            self.status == self.Status.RUNNING
            and self.started_at is not None
            and self.started_at < (now or timezone.now()) - limit
        )
