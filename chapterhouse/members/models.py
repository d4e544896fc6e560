"""Accounts and member profiles."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.lib.collation import fold

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter

ONLINE_WINDOW = timedelta(minutes=5)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """The login identity. Everything a member shows lives on `Member`."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    # The last logout: copies of this account's sessions cached before it are checked
    # against the database once before they are trusted (members.sessions).
    sessions_fenced_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # typed on AbstractBaseUser as a ClassVar

    objects = UserManager()  # type: ignore[assignment, misc]

    def __str__(self) -> str:
        return self.email


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Members only")
    HIDDEN = "hidden", _("Only me")


def avatar_path(instance: Member, filename: str) -> str:
    return f"avatars/{instance.public_id}/{uuid.uuid4().hex}.png"


class MemberQuerySet(models.QuerySet["Member"]):
    def belonging_to(self, chapter: Chapter) -> MemberQuerySet:
        """Members whose home is `chapter` or below it: everyone who belongs there."""
        if chapter.depth <= 1:
            # Everyone belongs to International (the root): no need to join the tree.
            return self.all()
        return self.filter(home_chapter__path__startswith=chapter.path)

    def active(self) -> MemberQuerySet:
        """Members whose account is active (not deactivated)."""
        return self.filter(user__is_active=True)

    def online(self) -> MemberQuerySet:
        """Members online now (seen within ONLINE_WINDOW, as `is_online` says) who show
        their presence: never one who hides it (show_presence)."""
        return self.filter(show_presence=True,
                           last_seen__gt=timezone.now() - ONLINE_WINDOW)


class Member(models.Model):
    """A member's profile and place in the organisation.

    The member belongs to `home_chapter` and all of its ancestors; belonging is
    derived with a path-prefix query, never stored per level.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("display name"), max_length=80)
    bio = models.TextField(_("about me"), max_length=4000, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    home_chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="home_members"
    )
    country = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", null=True
    )
    region = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    city = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, related_name="+", null=True
    )
    neighbourhood = models.CharField(_("neighbourhood"), max_length=80, blank=True)
    # The display name folded (lib.collation.fold): what member lists are ordered by,
    # so "Émile" sorts among the E's on every database. Kept in step by save(); bulk
    # writers set it themselves. A database default too, for writers that do not know it.
    sort_name = models.CharField(max_length=80, blank=True, default="", db_default="")
    joined_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(null=True, blank=True)

    # What others may see. The display name and chapters are what make a member
    # a member; the rest is theirs to show or hide.
    profile_visibility = models.CharField(
        _("who can see my profile"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    listed_in_directory = models.BooleanField(
        _("list me in my chapters' member lists"), default=True
    )
    show_bio = models.BooleanField(_("show my bio"), default=True)
    show_languages = models.BooleanField(_("show the languages I speak"), default=True)
    show_presence = models.BooleanField(_("show when I am online and was last seen"), default=True)
    show_location = models.BooleanField(_("show my city and neighbourhood"), default=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["home_chapter", "sort_name"], name="member_home_sort_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_name = fold(self.display_name)[:80]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:profile", kwargs={"public_id": self.public_id})

    @property
    def is_online(self) -> bool:
        return self.last_seen is not None and timezone.now() - self.last_seen < ONLINE_WINDOW

    def belongs_to(self, chapter: Chapter) -> bool:
        """Whether this member belongs to `chapter` (their home is it or below it)."""
        return chapter.contains(self.home_chapter)

    def visible_to(self, viewer: Member | None) -> bool:
        """Whether `viewer` (None: anonymous) may see this profile page."""
        if viewer is not None and viewer.pk == self.pk:
            return True
        if self.profile_visibility == Visibility.PUBLIC:
            return True
        if self.profile_visibility == Visibility.MEMBERS:
            return viewer is not None
        return False


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        """Tokens not yet expired."""
        return self.filter(expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A key for the API (`Authorization: Token <key>`), one of several a user may hold.

    Only a digest of the key is stored: the key is shown once, when it is made. A
    token ends at `expires_at`, when its owner revokes it, when the password changes
    (it remembers the password it was made under, as sessions do) and when a second
    factor is added.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    password_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def digest_of(key: str) -> str:
        import hashlib

        return hashlib.sha256(key.encode()).hexdigest()


class FallbackCacheEntry(models.Model):
    """A row of the database cache that keeps rate limits counting while Redis is
    unreachable (lib.cache, `CACHES["fallback"]`). The columns are those Django's
    DatabaseCache reads and writes; a model (rather than `createcachetable`) so that
    `migrate` makes the table wherever the site runs."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "members_fallback_cache"
        verbose_name = _("rate limit counter")

    def __str__(self) -> str:
        return self.cache_key
