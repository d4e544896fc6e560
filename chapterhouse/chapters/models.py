"""The chapter tree: International › Country › Region › City › Neighbourhood."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from chapterhouse.lib.collation import fold
from chapterhouse.places.models import sort_names_of

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


class ChapterLevel(models.IntegerChoices):
    INTERNATIONAL = 0, _("International")
    COUNTRY = 1, _("Country")
    REGION = 2, _("Region")
    CITY = 3, _("City or town")
    NEIGHBOURHOOD = 4, _("Neighbourhood")


class ChapterQuerySet(MP_NodeQuerySet["Chapter"]):
    """The words the domain speaks about sets of chapters (one path-prefix filter each)."""

    def within(self, chapter: Chapter) -> ChapterQuerySet:
        """`chapter` and every chapter below it."""
        return self.filter(path__startswith=chapter.path)

    def below(self, chapter: Chapter) -> ChapterQuerySet:
        """Every chapter below `chapter`, not itself."""
        return self.within(chapter).exclude(pk=chapter.pk)

    def children_of(self, chapter: Chapter) -> ChapterQuerySet:
        """The chapters one level below `chapter`."""
        return self.filter(path__startswith=chapter.path, depth=chapter.depth + 1)

    def containing(self, chapter: Chapter) -> ChapterQuerySet:
        """`chapter` and its ancestors (the chapters that contain it)."""
        return self.filter(path__in=chapter.ancestor_paths())


class _ChapterManagerBase(MP_NodeManager["Chapter"]):
    def get_queryset(self) -> ChapterQuerySet:
        # treebeard's get_queryset builds its own MP_NodeQuerySet: build ours instead,
        # or the vocabulary would not be on the manager (nor on .all()).
        return ChapterQuerySet(self.model, using=self._db).order_by("path")


# treebeard's manager (ordered by path) with the vocabulary of ChapterQuerySet.
ChapterManager = _ChapterManagerBase.from_queryset(ChapterQuerySet)


class Chapter(MP_Node):
    """A node of the chapter tree (treebeard materialised path).

    `names` copies the place's names in other languages, so rendering a list of
    chapters needs no join; `sort_name` and `sort_names` are the folded forms of
    `name` and `names` that lists are ordered by in SQL (`lib.collation`), kept in
    step by `save()` and `name_fields()`. `url_path` is the slug path under /c/ ("" for
    International, "gb/eng/london").
    `member_count` counts everyone who belongs here: members whose home chapter is
    this chapter or below it. It is denormalised and kept exact by the members
    services, which change it in the same transaction as the membership.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, allow_unicode=True, blank=True)
    url_path = models.CharField(max_length=400, unique=True, blank=True)
    level = models.PositiveSmallIntegerField(choices=ChapterLevel.choices)
    place = models.OneToOneField(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="chapter"
    )
    names = models.JSONField(default=dict, blank=True)
    # Database defaults too, so that code that does not know these columns (an
    # older release during a deploy, a migration test's historic models) can
    # still insert chapters.
    sort_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    sort_names = models.JSONField(default=dict, blank=True, db_default={})
    description = models.TextField(blank=True)
    # A rule of the chapter, set by its facilitators: whether its members (everyone who
    # belongs here) may write announcements too (the announcements app), not only its
    # facilitators. A database default too, for code that does not know the column.
    members_may_announce = models.BooleanField(default=False, db_default=False)
    # The sections it turned off or restricted, by decision (chapters.sections).
    sections = models.JSONField(default=dict, blank=True, db_default={})
    # The limits on new members' posts it set, by decision (chapters.limits).
    newcomer_limits = models.JSONField(default=dict, blank=True, db_default={})
    member_count = models.PositiveIntegerField(default=0)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # The stubs plugin takes treebeard's `objects` for a class variable of MP_Node.
    objects = ChapterManager()  # type: ignore[misc]

    # No node_order_by: sorted insertion would rewrite the paths of later siblings
    # and their subtrees. Lists are ordered by name at query time instead.

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=0, level__lte=4), name="chapter_level_range"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "name"], name="chapter_level_name"),
            # A chapter's children (selectors.children_around), also International's.
            models.Index(fields=["depth", "path"], name="chapter_depth_path"),
            # The chapters in a cell of the map (selectors.MapCell): at tier M a cell of
            # a few degrees reads ~2 ms by this index, 30–60 ms by scanning the table.
            models.Index(fields=["longitude", "latitude"], name="chapter_map_position"),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The sort keys follow the names wherever a chapter is saved (treebeard's
        # add_child saves); bulk inserts set them through name_fields().
        for field, value in name_fields(self.name, self.names).items():
            setattr(self, field, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "names"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_name", "sort_names"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if not self.url_path:
            return reverse("chapters:international")
        return reverse("chapters:detail", kwargs={"url_path": self.url_path})

    def display_name(self) -> str:
        """The chapter's name in the active language where the gazetteer has it."""
        if self.level == ChapterLevel.INTERNATIONAL:
            return str(_("International"))
        language = (translation.get_language() or "en").split("-")[0]
        return self.names.get(language) or self.name

    def contains(self, other: Chapter) -> bool:
        """Whether `other` is this chapter or below it (so its members belong here)."""
        return other.path.startswith(self.path)

    def strictly_contains(self, other: Chapter) -> bool:
        """Whether `other` is below this chapter, not this chapter itself."""
        return other.path != self.path and other.path.startswith(self.path)

    def ancestor_paths(self) -> list[str]:
        """The treebeard paths of this chapter and all its ancestors, root first."""
        step = self.steplen
        return [self.path[: i * step] for i in range(1, len(self.path) // step + 1)]


def name_fields(name: str, names: dict[str, str]) -> dict[str, Any]:
    """A chapter's sort keys for its `name` and its `names` in other languages."""
    return {"sort_name": fold(name), "sort_names": sort_names_of(names)}


class ChapterRoleQuerySet(models.QuerySet["ChapterRole"]):
    def active(self) -> ChapterRoleQuerySet:
        """Accepted roles (an invitation is not a role yet)."""
        return self.filter(accepted_at__isnull=False)

    def facilitators_of(self, chapter: Chapter) -> ChapterRoleQuerySet:
        """The active facilitator roles of this very chapter (not inherited up or down)."""
        return self.active().filter(chapter=chapter, role=ChapterRole.Role.FACILITATOR)


class ChapterRole(models.Model):
    """A member's role in a chapter, e.g. facilitator.

    A role is active once accepted; until then it is an invitation (the first
    member of a new chapter is invited to facilitate it). A facilitator of a
    chapter is not a facilitator of its parent.
    """

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("facilitator")

    class Source(models.TextChoices):
        ADMIN = "admin", _("granted by a site administrator")
        FIRST_MEMBER = "first_member", _("first member of the chapter")
        DECISION = "decision", _("granted by a decision")

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="chapter_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FACILITATOR)
    source = models.CharField(max_length=20, choices=Source.choices)
    invited_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = ChapterRoleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "member", "role"], name="chapterrole_unique_member_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_role_display()} – {self.chapter}"

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None

    def belongs_to(self, member: Member) -> bool:
        return self.member_id == member.pk
