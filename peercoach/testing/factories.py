"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import factory
from django.db import models

from peercoach.accounts.models import User
from peercoach.organizations.models import Membership, Organization
from peercoach.people import management_path
from peercoach.people.models import Person

PASSWORD = "correct-horse-battery-staple"


class ModelFactory[M: models.Model](factory.django.DjangoModelFactory[M]):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class: type) -> object:
        # The default manager is the unscoped one; `objects` refuses unscoped queries by design.
        return model_class._default_manager


class OrganizationFactory(ModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class PersonFactory(ModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    employee_id = factory.Sequence(lambda n: f"E{n:06d}")
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    job_title = "Analyst"
    department = "Operations"
    level = 3
    timezone = "Europe/Berlin"
    languages = factory.LazyFunction(lambda: ["en"])

    @factory.post_generation
    def set_management_path(
        self: Person, create: bool, extracted: object, **kwargs: object
    ) -> None:
        manager_path = self.manager.management_path if self.manager else ""
        self.management_path = management_path.child_path(manager_path, self.pk)
        if create:
            type(self)._default_manager.filter(pk=self.pk).update(
                management_path=self.management_path
            )


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(ModelFactory[Membership]):
    class Meta:
        model = Membership
        django_get_or_create = ("organization", "user")

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


def _two_weeks_from_now() -> datetime:

    from django.utils import timezone

    return timezone.now() + timedelta(days=14)


class InvitationFactory(ModelFactory):
    """An open invitation. Its token is random and unknown: tests that follow the emailed link
    create invitations with accounts.services.invitation_create instead."""

    class Meta:
        model = "accounts.Invitation"

    organization = factory.SubFactory(OrganizationFactory)
    person = factory.SubFactory(PersonFactory, organization=factory.SelfAttribute("..organization"))
    email = factory.LazyAttribute(lambda invitation: invitation.person.email)
    token_hash = factory.Faker("sha256")
    expires_at = factory.LazyFunction(_two_weeks_from_now)


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _today_plus(days: int) -> object:
    def make() -> object:
        from django.utils import timezone

        return timezone.localdate() + timedelta(days=days)

    return make


class ProgramFactory(ModelFactory):
    """A reciprocal-pairs program open for enrollment, running from today for four months."""

    class Meta:
        model = "programs.Program"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Program {n}")
    purpose = "skill_development"
    format = "reciprocal_pairs"
    starts_on = factory.LazyFunction(_today_plus(0))
    ends_on = factory.LazyFunction(_today_plus(120))
    status = "open"


class EnrollmentFactory(ModelFactory):
    """Someone taking part in a program, having agreed to its ground rules."""

    class Meta:
        model = "programs.Enrollment"

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    person = factory.SubFactory(
        PersonFactory, organization=factory.SelfAttribute("..program.organization")
    )
    status = "active"
    source = "open"
    goals = factory.LazyFunction(lambda: ["giving clear feedback"])
    offers = factory.LazyFunction(lambda: ["planning projects"])
    timezone = "Europe/Berlin"
    languages = factory.LazyFunction(lambda: ["en"])
    agreed_to_ground_rules_at = factory.LazyFunction(_now)
