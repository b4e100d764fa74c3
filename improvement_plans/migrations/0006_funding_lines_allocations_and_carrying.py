"""Investments that add up (issue 14).

- A scheme's money comes from funding lines (`FundingLine`: source and amount); its total is
  their sum, computed. Each existing investment becomes one funding line of its source and
  amount, and `Investment.funding_source` and `.amount` go.
- The changes a scheme serves gain an allocated amount: the plain many-to-many field becomes
  one through `InvestmentChange`, keeping Django's table (`improvement_plans_investment_changes`,
  the same columns), so only the new `amount` column is added to the database. The recipe is
  Django's: `SeparateDatabaseAndState`, the state told of the model, the database left alone.
- `Investment.ongoing`: an ongoing scheme carries into later plans after its financial year.
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

SOURCES = [
    ("bcf", "Better Care Fund"),
    ("ibcf", "Improved Better Care Fund (iBCF)"),
    ("dfg", "Disabled Facilities Grant"),
    ("discharge", "Discharge funding"),
    ("other", "Other"),
]


def investments_to_funding_lines(apps, schema_editor):
    """Each investment's source and amount become its one funding line."""
    Investment = apps.get_model("improvement_plans", "Investment")
    FundingLine = apps.get_model("improvement_plans", "FundingLine")
    lines = [
        FundingLine(investment_id=pk, source=source, amount=amount)
        for pk, source, amount in Investment.objects.order_by("pk").values_list(
            "pk", "funding_source", "amount"
        )
    ]
    FundingLine.objects.bulk_create(lines, batch_size=1000)


def funding_lines_to_investments(apps, schema_editor):
    """Backwards: the sum of a scheme's lines, from the source of its largest line."""
    Investment = apps.get_model("improvement_plans", "Investment")
    FundingLine = apps.get_model("improvement_plans", "FundingLine")
    for investment in Investment.objects.all():
        lines = list(FundingLine.objects.filter(investment=investment).order_by("-amount", "pk"))
        investment.amount = sum((line.amount for line in lines), Decimal("0"))
        investment.funding_source = lines[0].source if lines else "other"
        investment.save(update_fields=["amount", "funding_source"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_history_and_places"),
        ("improvement_plans", "0005_measures_and_return_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="FundingLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(choices=SOURCES, max_length=10)),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                    ),
                ),
                (
                    "investment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="funding_lines",
                        to="improvement_plans.investment",
                    ),
                ),
            ],
            options={
                "ordering": ["pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0)), name="funding_line_not_negative"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="historicalinvestment",
            name="ongoing",
            field=models.BooleanField(
                default=False,
                help_text="An ongoing scheme carries into later plans after its financial year "
                "ends.",
            ),
        ),
        migrations.AddField(
            model_name="investment",
            name="ongoing",
            field=models.BooleanField(
                default=False,
                help_text="An ongoing scheme carries into later plans after its financial year "
                "ends.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalinvestment",
            name="round",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The plan the scheme was added to; it carries into later plans while "
                "open.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="assessments.round",
            ),
        ),
        migrations.AlterField(
            model_name="investment",
            name="round",
            field=models.ForeignKey(
                help_text="The plan the scheme was added to; it carries into later plans while "
                "open.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="investments",
                to="assessments.round",
            ),
        ),
        # The many-to-many table stays: the state learns of its model, the database is as it is.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="InvestmentChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "investment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="improvement_plans.investment",
                            ),
                        ),
                        (
                            "change",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="assessments.change",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "improvement_plans_investment_changes",
                        "unique_together": {("investment", "change")},
                    },
                ),
                migrations.AlterField(
                    model_name="investment",
                    name="changes",
                    field=models.ManyToManyField(
                        related_name="investments",
                        through="improvement_plans.InvestmentChange",
                        to="assessments.change",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="investmentchange",
            name="amount",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                max_digits=12,
                null=True,
                verbose_name="allocated amount",
            ),
        ),
        migrations.AddConstraint(
            model_name="investmentchange",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__isnull", True), ("amount__gte", 0), _connector="OR"),
                name="allocation_not_negative",
            ),
        ),
        migrations.RunPython(investments_to_funding_lines, funding_lines_to_investments),
        migrations.RemoveConstraint(model_name="investment", name="investment_not_negative"),
        # Defaults first, so that going backwards can add the columns to existing rows.
        migrations.AlterField(
            model_name="investment",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=12,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
            ),
        ),
        migrations.AlterField(
            model_name="investment",
            name="funding_source",
            field=models.CharField(choices=SOURCES, default="other", max_length=10),
        ),
        migrations.AlterField(
            model_name="historicalinvestment",
            name="amount",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                max_digits=12,
                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
            ),
        ),
        migrations.AlterField(
            model_name="historicalinvestment",
            name="funding_source",
            field=models.CharField(choices=SOURCES, default="other", max_length=10),
        ),
        migrations.RemoveField(model_name="historicalinvestment", name="amount"),
        migrations.RemoveField(model_name="historicalinvestment", name="funding_source"),
        migrations.RemoveField(model_name="investment", name="amount"),
        migrations.RemoveField(model_name="investment", name="funding_source"),
    ]
