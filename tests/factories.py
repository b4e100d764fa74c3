"""factory_boy factories with deterministic defaults."""

import factory

from assessments.models import Member, Partner, Region, RegionalViewer, System, SystemRole
from hicm_portal.models import User

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    slug = factory.Sequence(lambda n: f"system-{n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    system = factory.SubFactory(SystemFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    partner_type = Partner.Type.ACUTE_TRUST


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)


class SystemRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemRole

    user = factory.SubFactory(UserFactory)
    system = factory.SubFactory(SystemFactory)
    role = SystemRole.Role.FACILITATOR


class RegionalViewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalViewer

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
