"""Writes about members: joining, moving, profiles, leaving."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters import services as chapter_services
from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.lib.realtime import ACCOUNT_CLOSED, account_group, broadcast
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.notifications.messages import place, places
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify
from chapterhouse.places.models import Place

from . import account_data
from .models import ApiToken, Member, User

# Older tokens beyond this many are ended when a new one is made.
MAX_API_TOKENS = 20


def _facilitators_of(chapters: list[Chapter]) -> list[Member]:
    """The members facilitating any of `chapters` (each once)."""
    return list(
        Member.objects.filter(
            pk__in=ChapterRole.objects.active()
            .filter(chapter__in=chapters, role=ChapterRole.Role.FACILITATOR)
            .values("member_id")
        )
    )


def _invite_first_member(member: Member, created: list[Chapter]) -> None:
    """The first member of a new chapter is invited to facilitate it."""
    for chapter in created:
        chapter_services.grant_role(
            chapter=chapter,
            member=member,
            source=ChapterRole.Source.FIRST_MEMBER,
            accepted=False,
        )
    if created:
        notify(
            recipients=[member],
            kind=Kind.ROLE_INVITATION,
            message="members.first_member",
            params={"chapters": places(created), "count": len(created)},
            url="/me/roles/",
        )


def _tell_local_facilitators(member: Member, home: Chapter) -> None:
    """Facilitators of the member's city and neighbourhood hear that they joined.

    Wider levels are not told of every arrival: an International facilitator
    would get one notice per signup.
    """
    local = Chapter.objects.filter(
        path__in=home.ancestor_paths(), level__gte=ChapterLevel.CITY
    )
    facilitators = [f for f in _facilitators_of(list(local)) if f.pk != member.pk]
    notify(
        recipients=facilitators,
        kind=Kind.MEMBER_JOINED,
        message="members.joined",
        params={"name": member.display_name, "chapter": place(home)},
        url=member.get_absolute_url(),
    )


def register_member(
    *,
    user: User,
    display_name: str,
    city: Place,
    neighbourhood: str = "",
    languages: list[str] | None = None,
) -> Member:
    """Make `user` a member living in `city`: they belong to every level at once.

    Missing chapters are created; the member counts of the home chapter and all
    its ancestors grow by one in the same transaction.
    """
    with transaction.atomic():
        home, created = chapter_services.resolve_home_chapter(
            city=city, neighbourhood=neighbourhood
        )
        member = Member.objects.create(
            user=user,
            display_name=without_bidi_controls(display_name).strip(),
            home_chapter=home,
            country=_country_of(city),
            region=_region_of(city),
            city=city,
            neighbourhood=" ".join(neighbourhood.split()),
            languages=languages or [],
        )
        chapter_services.adjust_member_counts(home, +1)
        notify(
            recipients=[member],
            kind=Kind.WELCOME,
            message="members.welcome",
            params={"chapter": place(home), "name": member.display_name},
            url=home.get_absolute_url(),
        )
        _invite_first_member(member, created)
        _tell_local_facilitators(member, home)
    return member


def _country_of(city: Place) -> Place | None:
    place: Place | None = city
    while place is not None and place.parent_id is not None:
        place = place.parent
    return place


def _region_of(city: Place) -> Place | None:
    parent = city.parent
    return parent if parent is not None and parent.parent_id is not None else None


def move_member(*, member: Member, city: Place, neighbourhood: str = "") -> Member:
    """Move a member's home; they leave the old chapters and join the new ones.

    One transaction: the counts of chapters they left drop by one, the counts of
    chapters they joined grow by one, and shared ancestors are unchanged.
    """
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("home_chapter").get(
            pk=member.pk
        )
        old_home = member.home_chapter
        new_home, created = chapter_services.resolve_home_chapter(
            city=city, neighbourhood=neighbourhood
        )
        if new_home.pk != old_home.pk:
            chapter_services.adjust_member_counts(old_home, -1)
            chapter_services.adjust_member_counts(new_home, +1)
        member.home_chapter = new_home
        member.country = _country_of(city)
        member.region = _region_of(city)
        member.city = city
        member.neighbourhood = " ".join(neighbourhood.split())
        member.save(
            update_fields=["home_chapter", "country", "region", "city", "neighbourhood"]
        )
        if new_home.pk != old_home.pk:
            _end_roles_left_behind(member, new_home)
            _invite_first_member(member, created)
            _tell_local_facilitators(member, new_home)
    return member


def _end_roles_left_behind(member: Member, home: Chapter) -> None:
    """Roles and invitations in chapters the member no longer belongs to end, and the
    member is told which (a facilitator who moved away no longer runs the old chapter)."""
    ended = chapter_services.end_roles_outside(member=member, home=home)
    if ended:
        notify(
            recipients=[member],
            kind=Kind.ROLE_ENDED,
            message="members.roles_ended",
            params={"chapters": places(role.chapter for role in ended), "count": len(ended)},
            url="/me/roles/",
        )


PROFILE_FIELDS = {
    "display_name",
    "bio",
    "languages",
    "profile_visibility",
    "listed_in_directory",
    "show_bio",
    "show_languages",
    "show_presence",
    "show_location",
}


def update_profile(*, member: Member, **changes: object) -> Member:
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    changes = {
        field: without_bidi_controls(value) if isinstance(value, str) else value
        for field, value in changes.items()
    }
    with transaction.atomic():
        for field, value in changes.items():
            setattr(member, field, value)
        member.full_clean(exclude=["avatar", "user", "home_chapter", "country", "region", "city"])
        member.save(update_fields=sorted(changes))
    return member


def set_avatar(*, member: Member, content: bytes | None) -> Member:
    """Store an already checked and re-encoded PNG avatar (None removes it)."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        old = member.avatar.name if member.avatar else ""
        if content is None:
            member.avatar = ""
        else:
            member.avatar.save("avatar.png", ContentFile(content), save=False)
        member.save(update_fields=["avatar"])
        if old:
            storage = member.avatar.storage
            transaction.on_commit(lambda: storage.delete(old))
    return member


def touch_last_seen(*, member_id: int) -> None:
    Member.objects.filter(pk=member_id).update(last_seen=timezone.now())


def delete_account(*, member: Member, remove_writing: bool = False) -> None:
    """Delete a member and their login; the chapters they belonged to shrink by one.

    What goes and what stays is what the deletion page says (members/delete.html):
    the account, profile, memberships, roles, notices, reading marks, stake
    declarations and shown dissent go (their rows cascade); posts, proposals,
    amendments, ballots, places on frozen rolls and audit entries stay without a name
    (their foreign keys are SET_NULL), because threads and decision records are shared.
    The text of their private messages and chat messages always goes (account_data's
    `remove_on_deletion`: each keeps its place, for the others' conversations).
    With `remove_writing`, each app also removes the member's writing that the record
    does not need (account_data; discussions: the text of forum posts and comments),
    in the same transaction.
    """
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("home_chapter", "user").get(
            pk=member.pk
        )
        for holding in account_data.holdings():
            if holding.remove_on_deletion is not None:
                holding.remove_on_deletion(member)
            if remove_writing and holding.remove_writing is not None:
                holding.remove_writing(member)
        chapter_services.adjust_member_counts(member.home_chapter, -1)
        avatar = member.avatar.name if member.avatar else ""
        storage = member.avatar.storage
        member.user.delete()
        if avatar:
            transaction.on_commit(lambda: storage.delete(avatar))


def close_live_sockets(*, user_id: int) -> None:
    """After the caller's transaction commits, close every open socket of the login
    (chat rooms, live notices): it was deactivated or deleted. With the in-memory
    channel layer this reaches the sockets of this process only; the notices socket
    of another process finds out at its next poll (notifications.consumers)."""
    group = account_group(user_id)
    transaction.on_commit(lambda: broadcast(group, {"type": ACCOUNT_CLOSED}))


def issue_api_token(*, user: User) -> tuple[ApiToken, str]:
    """A new API token for `user` and its key (shown once; only its digest is kept).

    It lasts `API_TOKEN_DAYS` days and ends early if the password changes. Beyond
    `MAX_API_TOKENS`, the user's oldest tokens end.
    """
    import secrets
    from datetime import timedelta

    from django.conf import settings

    key = secrets.token_urlsafe(30)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=ApiToken.digest_of(key),
            prefix=key[:6],
            password_hash=user.get_session_auth_hash(),
            created_at=now,
            expires_at=now + timedelta(days=settings.API_TOKEN_DAYS),
        )
        ApiToken.objects.filter(user=user).exclude(
            pk__in=ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
            .values("pk")[:MAX_API_TOKENS]
        ).delete()
        # Expired ones are of no use to anyone: tidy them as we go.
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    return token, key


def revoke_api_token(*, user: User, public_id: uuid.UUID | None) -> None:
    """End one of `user`'s tokens; someone else's (or a gone one) is refused as unknown."""
    from chapterhouse.lib.errors import Refused

    deleted = 0
    if public_id is not None:
        with transaction.atomic():
            deleted, _kinds = ApiToken.objects.filter(user=user, public_id=public_id).delete()
    if not deleted:
        raise Refused(_("There is no such token."))


def revoke_api_tokens(*, user: User) -> int:
    """End all of `user`'s API tokens (a new password, a new second factor): how many."""
    with transaction.atomic():
        deleted, _kinds = ApiToken.objects.filter(user=user).delete()
    return deleted


def fence_sessions(*, user_id: int) -> None:
    """Mark a logout of the account: its other sessions' cached copies, made before now,
    are checked against the database once before they are trusted again
    (members.sessions). One UPDATE; idempotent."""
    with transaction.atomic():
        User.objects.filter(pk=user_id).update(sessions_fenced_at=timezone.now())
