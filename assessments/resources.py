"""django-import-export resources: CSV and XLSX import and export for administrators.

Every import runs as a dry run first (a preview with errors per row) and writes nothing until
it is confirmed; the confirmed import runs in one transaction.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.widgets import CharWidget, ForeignKeyWidget, Widget

from assessments.framework_content import framework_edited
from assessments.models import (
    Change,
    Descriptor,
    Framework,
    Level,
    Member,
    Partner,
    Region,
    RoleChange,
    System,
)
from assessments.onboarding_emails import person_roles_tell
from assessments.services import role_grant

User = get_user_model()


class LookupWidget(ForeignKeyWidget):
    """A foreign key by a readable field, with a GOV.UK-style message when nothing matches."""

    def __init__(self, model, field: str, noun: str):
        super().__init__(model, field)
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError(f"Enter the {self.noun}")
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(f"There is no {self.noun} {value!r}") from error


class RegionResource(resources.ModelResource):
    class Meta:
        model = Region
        fields = ("name", "slug")
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class CodeWidget(CharWidget):
    """A code as the portal keeps it: spaces around it dropped, capital letters. The model's
    `clean` checks it (an area code against the reference list, an ODS code's form)."""

    def clean(self, value, row=None, **kwargs):
        return str(value if value is not None else "").strip().upper()


class SystemResource(resources.ModelResource):
    """Systems by slug. `area_code` (optional) is the ONS code of the system's Health and
    Wellbeing Board area, checked against the reference list and held by one system only
    (`System.clean`)."""

    region = fields.Field(
        column_name="region", attribute="region", widget=LookupWidget(Region, "slug", "region")
    )
    area_code = fields.Field(column_name="area_code", attribute="area_code", widget=CodeWidget())

    class Meta:
        model = System
        fields = ("name", "slug", "region", "area_code")
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class PartnerTypesWidget(Widget):
    """Further partner types in one cell, separated by semicolons, each by its key or its name
    in any case ("community_trust; Mental health trust"). `Partner.clean` refuses the main type
    and repeats."""

    def clean(self, value, row=None, **kwargs):
        by_word = {}
        for key, label in Partner.Type.choices:
            by_word[key.lower()] = key
            by_word[str(label).lower()] = key
        types = []
        for word in str(value if value is not None else "").split(";"):
            word = word.strip()
            if not word:
                continue
            if word.lower() not in by_word:
                raise ValueError(
                    f"{word!r} is not a partner type. Separate further types with semicolons, "
                    f"each one of: {', '.join(Partner.Type.values)}"
                )
            types.append(by_word[word.lower()])
        return types

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class PartnerResource(resources.ModelResource):
    """Partners by system and name, with their main type; optionally their NHS ODS code and
    further types (`Partner.clean` checks both)."""

    system = fields.Field(
        column_name="system", attribute="system", widget=LookupWidget(System, "slug", "system")
    )
    ods_code = fields.Field(column_name="ods_code", attribute="ods_code", widget=CodeWidget())
    other_types = fields.Field(
        column_name="other_types", attribute="other_types", widget=PartnerTypesWidget()
    )

    class Meta:
        model = Partner
        fields = ("system", "name", "partner_type", "ods_code", "other_types")
        import_id_fields = ("system", "name")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        valid = {choice.value for choice in Partner.Type}
        if row.get("partner_type") not in valid:
            raise ValidationError(
                {"partner_type": f"Enter a partner type, one of: {', '.join(sorted(valid))}"}
            )


class PartnerInSystemWidget(Widget):
    """The partner named in the row's `partner` column, within the row's `system`."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            raise ValueError("Enter the partner's name")
        system = (row or {}).get("system")
        partner = Partner.objects.filter(system__slug=system, name=value).first()
        if partner is None:
            raise ValueError(f"System {system!r} has no partner called {value!r}")
        return partner

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class UserByEmailWidget(Widget):
    """The person with this e-mail address; a new account (no password yet) if there is none.

    The import runs inside a transaction that a dry run rolls back, so the preview creates
    nobody.
    """

    def clean(self, value, row=None, **kwargs):
        email = (value or "").strip().lower()
        if not email or "@" not in email:
            raise ValueError("Enter an email address in the correct format, like name@example.org")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, full_name=(row or {}).get("full_name", ""))
        return user

    def render(self, value, obj=None, **kwargs):
        return value.email if value else ""


class MemberResource(resources.ModelResource):
    """Import people into partners. Each person is e-mailed once, naming every membership the
    file gave them (`onboarding_emails.person_roles_tell`): new people a link to set their
    password. The people import of the system set-up page (`onboarding_services`) takes every
    role; this one takes memberships alone."""

    system = fields.Field(column_name="system", attribute="partner__system__slug", readonly=True)
    partner = fields.Field(
        column_name="partner", attribute="partner", widget=PartnerInSystemWidget()
    )
    email = fields.Field(column_name="email", attribute="user", widget=UserByEmailWidget())
    full_name = fields.Field(column_name="full_name", attribute="user__full_name", readonly=True)

    class Meta:
        model = Member
        fields = ("email", "full_name", "system", "partner")
        import_id_fields = ("email", "partner")
        skip_unchanged = True
        report_skipped = True
        store_instance = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.gained = {}  # person's pk: (person, the roles the file gave them)

    def save_instance(self, instance, is_create, row, **kwargs):
        """A membership is a role: granted by `role_grant` as the administrator importing,
        recorded and told to the partner's members, and refused when it is their own. The
        person is told by the one e-mail of `after_import`. A preview writes too, inside the
        transaction it rolls back (IMPORT_EXPORT_USE_TRANSACTIONS), so its e-mails never
        leave and a refusal shows on its row."""
        user = instance.user
        changes = role_grant(
            user=user,
            role=RoleChange.Role.MEMBER,
            system=instance.partner.system,
            partner=instance.partner,
            granted_by=kwargs.get("user"),
            tell_person=False,
        )
        self.gained.setdefault(user.pk, (user, []))[1].extend(changes)
        instance.pk = Member.objects.get(user=user, partner=instance.partner).pk

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        # One e-mail per person, however many partners the file puts them in: a second
        # invitation would cancel the first, so the first e-mail's link would be dead. Inside
        # the import's transaction: the invitations are written with the members, and their
        # e-mails leave only when it commits.
        for user, gained in self.gained.values():
            person_roles_tell(user=user, gained=gained, told_by=kwargs.get("user"))


class TipsWidget(Widget):
    """Tips as one cell: one tip per line."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return [line.strip() for line in str(value).splitlines() if line.strip()]

    def render(self, value, obj=None, **kwargs):
        return "\n".join(value or [])


class ChangeWordingResource(resources.ModelResource):
    """Official wording for existing changes: statements, tips and the five descriptors.

    Only changes that exist can be updated; a row naming an unknown change is an error.
    """

    framework = fields.Field(
        column_name="framework",
        attribute="framework",
        widget=LookupWidget(Framework, "key", "framework"),
    )
    tips = fields.Field(column_name="tips", attribute="tips", widget=TipsWidget())
    descriptor_fields = [f"level_{n}" for n in range(1, 6)]

    class Meta:
        model = Change
        fields = ("framework", "code", "title", "summary", "i_statement", "we_statement", "tips")
        import_id_fields = ("framework", "code")
        skip_unchanged = False
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        row["code"] = str(row.get("code") or "").strip()
        key = row.get("framework")
        if not Change.objects.filter(framework__key=key, code=row["code"]).exists():
            raise ValidationError(
                {
                    "code": f"Framework {key!r} has no change {row['code']!r}; "
                    "only existing changes can be updated"
                }
            )
        for name in ("title", "summary", "i_statement", "we_statement"):
            if row.get(name) is None:
                row[name] = ""
        if not str(row.get("title", "")).strip():
            raise ValidationError({"title": "Enter the change's title"})

    def after_save_instance(self, instance, row, **kwargs):
        levels = {
            level.number: level for level in Level.objects.filter(framework=instance.framework)
        }
        for number in range(1, 6):
            text = str(row.get(f"level_{number}") or "").strip()
            if text and number in levels:
                Descriptor.objects.update_or_create(
                    change=instance, level=levels[number], defaults={"text": text}
                )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for framework_id in {
            row.instance.framework_id for row in result.rows if row.instance is not None
        }:
            framework_edited(
                framework_id, source="Official wording imported", actor=kwargs.get("user")
            )

    def get_export_headers(self, *args, **kwargs):
        return [*super().get_export_headers(*args, **kwargs), *self.descriptor_fields]

    def export_resource(self, instance, *args, **kwargs):
        row = super().export_resource(instance, *args, **kwargs)
        by_number = {d.level.number: d.text for d in instance.descriptors.all()}
        return [*row, *(by_number.get(n, "") for n in range(1, 6))]
