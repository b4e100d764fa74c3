"""Actions as spreadsheets: export for reporting, import for bulk planning.

An import runs first as a dry run (a preview with every row's errors) and writes nothing; the
confirmed import writes every row or none. Each row is added by the action form's own service
(`services.action_create`): the same checks, the same audit entry and history, and the same
e-mail to the action's owner, sent only once the import commits.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from assessments.framework_content import content_for_round
from assessments.models import Round
from hicm_portal.money import pounds
from improvement_plans.models import Action, Investment
from improvement_plans.selectors import investment_changes_text
from improvement_plans.services import ActionInput, action_create, apply_action_input

# The same answer whether nobody has the address or its owner is outside this system: an
# import must not tell who has an account elsewhere.
OWNER_MISSING = "Enter the owner's e-mail address"
OWNER_NOT_A_MEMBER = "Nobody in this system's partners has the e-mail address {email!r}"

COLUMNS = ["change", "title", "description", "target_level", "lead_partner", "owner",
           "start_date", "due_date", "status"]  # fmt: skip


def _parse_date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError({name: f"Enter the {name.replace('_', ' ')}"})
    # A date cell kept in the session between preview and confirmation comes back as ISO
    # text with a time ("2027-03-31T00:00:00"); a typed one may carry a time after a space.
    day_part = text.split(" ")[0].split("T")[0]
    for separator in ("-", "/"):
        parts = day_part.split(separator)
        if len(parts) == 3:
            try:
                if len(parts[0]) == 4:
                    return date(int(parts[0]), int(parts[1]), int(parts[2]))
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                break
    raise ValidationError(
        {name: f"Enter the {name.replace('_', ' ')} as a real date, like 31/03/2027"}
    )


class ActionResource(resources.ModelResource):
    change = fields.Field(column_name="change", attribute="change__code", readonly=True)
    title = fields.Field(column_name="title", attribute="title")
    description = fields.Field(column_name="description", attribute="description")
    target_level = fields.Field(
        column_name="target_level", attribute="target_level__name", readonly=True
    )
    lead_partner = fields.Field(
        column_name="lead_partner", attribute="lead_partner__name", readonly=True
    )
    owner = fields.Field(column_name="owner", attribute="owner__email", readonly=True)
    # Exported as dates, not text, so the XLSX holds date cells (hicm_portal.spreadsheets).
    start_date = fields.Field(
        column_name="start_date",
        attribute="start_date",
        widget=widgets.DateWidget(coerce_to_string=False),
    )
    due_date = fields.Field(
        column_name="due_date",
        attribute="due_date",
        widget=widgets.DateWidget(coerce_to_string=False),
    )
    status = fields.Field(column_name="status", attribute="status")
    rag = fields.Field(column_name="rag", readonly=True)

    class Meta:
        model = Action
        fields = (*COLUMNS, "rag")
        export_order = (*COLUMNS, "rag")
        import_id_fields = ()
        force_init_instance = True  # an import always adds actions
        skip_diff = True
        store_instance = True

    def __init__(self, *, round_: Round | None = None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.round = round_
        self.user = user

    def dehydrate_rag(self, action: Action) -> str:
        return action.rag().capitalize()

    def dehydrate_status(self, action: Action) -> str:
        return action.get_status_display()

    def _resolve(self, row) -> ActionInput:
        round_ = self.round
        errors: dict[str, str] = {}
        code = str(row.get("change") or "").strip()
        change = content_for_round(round_).change(code)
        if change is None:
            errors["change"] = f"This round's framework has no change {code!r}"
        level_text = str(row.get("target_level") or "").strip()
        target = None
        if level_text:
            levels = {str(lv.number): lv for lv in round_.framework.levels.all()}
            levels.update({lv.name.lower(): lv for lv in levels.values()})
            target = levels.get(level_text.lower())
            if target is None:
                errors["target_level"] = f"{level_text!r} is not a level of this framework"
        partner_name = str(row.get("lead_partner") or "").strip()
        partner = round_.system.partners.filter(name__iexact=partner_name).first()
        if partner is None:
            errors["lead_partner"] = f"This system has no partner called {partner_name!r}"
        email = str(row.get("owner") or "").strip().lower()
        owner = (
            get_user_model()
            .objects.filter(email__iexact=email, memberships__partner__system=round_.system)
            .first()
            if email
            else None
        )
        if not email:
            errors["owner"] = OWNER_MISSING
        elif owner is None:
            errors["owner"] = OWNER_NOT_A_MEMBER.format(email=email)
        status_text = str(row.get("status") or "").strip().lower()
        statuses = {v: v for v in Action.Status.values}
        statuses.update({label.lower(): v for v, label in Action.Status.choices})
        status = statuses.get(status_text or "not started")
        if status is None:
            errors["status"] = f"{status_text!r} is not a status; use one of " + ", ".join(
                label for _, label in Action.Status.choices
            )
        try:
            start = _parse_date(row.get("start_date"), "start_date")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
            start = None
        try:
            due = _parse_date(row.get("due_date"), "due_date")
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
            due = None
        if errors:
            raise ValidationError(errors)
        return ActionInput(
            title=str(row.get("title") or ""),
            description=str(row.get("description") or ""),
            change=change,
            target_level=target,
            lead_partner=partner,
            owner=owner,
            start_date=start,
            due_date=due,
            status=status,
        )

    def import_instance(self, instance: Action, row, **kwargs) -> None:
        # Read the row (never leaving the last row's reading behind if this one fails);
        # `save_instance` hands it to the service, which checks it as it checks the form's.
        self._row_input = None
        self._row_input = self._resolve(row)
        instance.system = self.round.system
        apply_action_input(instance, self._row_input)

    def save_instance(self, instance: Action, is_create, row, **kwargs) -> None:
        """Add the row's action through the form's service. In a preview this runs inside the
        transaction that is rolled back, so nothing is kept and nobody is e-mailed."""
        action = action_create(round_=self.round, data=self._row_input, created_by=self.user)
        instance.pk, instance.public_id = action.pk, action.public_id


class InvestmentResource(resources.ModelResource):
    """Schemes for reporting (export only, from the admin): one row per scheme with its plan,
    its funding lines, its total and the changes it serves with their allocation, in the
    plan page's words (`investment_changes_text`). Schemes are added on the plan's form, or by
    the import of past returns, through `investment_save`."""

    system = fields.Field(column_name="system", attribute="round__system__name", readonly=True)
    plan = fields.Field(column_name="plan", attribute="round__name", readonly=True)
    scheme = fields.Field(column_name="scheme", attribute="scheme_name", readonly=True)
    financial_year = fields.Field(
        column_name="financial_year", attribute="financial_year", readonly=True
    )
    ongoing = fields.Field(column_name="ongoing", readonly=True)
    funding = fields.Field(column_name="funding", readonly=True)
    total = fields.Field(column_name="total", readonly=True)
    changes = fields.Field(column_name="changes", readonly=True)

    class Meta:
        model = Investment
        fields = ("system", "plan", "scheme", "financial_year", "ongoing", "funding", "total",
                  "changes")  # fmt: skip
        export_order = fields

    def dehydrate_ongoing(self, investment: Investment) -> str:
        return "Yes" if investment.ongoing else "No"

    def dehydrate_funding(self, investment: Investment) -> str:
        return "; ".join(
            f"{line.get_source_display()} {pounds(line.amount)}"
            for line in investment.funding_lines.all()
        )

    def dehydrate_total(self, investment: Investment) -> Decimal:
        return sum((line.amount for line in investment.funding_lines.all()), Decimal("0"))

    def dehydrate_changes(self, investment: Investment) -> str:
        links = sorted(investment.investmentchange_set.all(), key=lambda link: link.change.position)
        return investment_changes_text(
            {"links": [[link.change_id, link.change.code, link.amount] for link in links]}
        )
