from typing import cast

import factory

from chapterhouse.members.models import Member, User
from chapterhouse.members.services import register_member
from chapterhouse.places.tests.factories import make_city

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create, extracted, **kwargs):  # noqa: N805
        # allauth keeps verification state on EmailAddress; tests log in directly.
        if create:
            obj.save()
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


def make_user(**fields: object) -> User:
    """A user with a verified email address and no member profile."""
    return cast(User, UserFactory(**fields))


def make_member(
    name: str = "Ada",
    city: str = "London",
    neighbourhood: str = "",
    region: tuple[str, str] = ("GB-ENG", "England"),
    country: tuple[str, str] = ("GB", "United Kingdom"),
    **user_fields: object,
) -> Member:
    """A registered member (through the real service) living in `city`."""
    user = make_user(**user_fields)
    return register_member(
        user=user,
        display_name=name,
        city=make_city(city, region=region, country=country),
        neighbourhood=neighbourhood,
    )


def token_client_for(member: Member):  # -> django.test.Client
    """A client that calls the API with a new token of `member`."""
    from django.test import Client

    from chapterhouse.members.services import issue_api_token

    _token, key = issue_api_token(user=member.user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")
