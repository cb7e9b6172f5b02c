"""Test data factories."""

import factory
from django.contrib.auth.hashers import make_password

from itdesk.accounts.models import Department, Membership, SupportGroup, User

PASSWORD = "correct-horse-42"
_HASHED = make_password(PASSWORD)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    password = _HASHED
    role = "requester"
    language = "en"


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"group-{n}")
    name = factory.Sequence(lambda n: f"Group {n}")
    email = factory.LazyAttribute(lambda g: f"{g.code}@example.test")


def member(user: User, group: SupportGroup, tier: str = "L1") -> User:
    """Put `user` in `group` at `tier`."""
    Membership.objects.get_or_create(user=user, group=group, defaults={"tier": tier})
    return user
