"""Writing to a chapter's library and its lessons: add and remove resources (links and
checked files), write lessons, say "this helped us", and remove a leaving member's
writing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from .models import (
    DESCRIPTION_MAX_LENGTH,
    LESSON_BODY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TAGS_MAX,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Lesson,
    LessonHelp,
    Resource,
    Tag,
    Topic,
    Visibility,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


class ResourceError(Refused):
    """A resource or lesson refused: the message says why, for the member."""


# What may be uploaded, by what the content is (filetype's MIME type): the extension it
# is stored and downloaded with. Anything else is refused, whatever its name says.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
TEXT_TYPE = "text/plain"
# Text a browser could take for a page or an image with script (HTML, SVG, XML): refused
# even though it is valid UTF-8. Downloads are served as attachments with nosniff too.
MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|\?xml|xsl)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    filename: str


def _clean_filename(name: str, extension: str) -> str:
    """The name the file is downloaded as: the upload's last path segment (no
    directories, no control characters), its own extension replaced by the one of
    what the content is."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = re.sub(r"[\"';:<>|*?]", "", stem).strip(" .")[:100] or "file"
    return f"{stem}.{extension}"


def check_upload(upload: IO[bytes], *, name: str, size: int | None = None) -> CheckedFile:
    """The upload's content if it may be stored: one of ALLOWED_TYPES by its content
    (never its name or the browser's word), or UTF-8 text without NULs or markup, and
    at most RESOURCE_FILE_MAX_BYTES. Raises ResourceError otherwise; stores nothing."""
    limit = settings.RESOURCE_FILE_MAX_BYTES
    too_big = ResourceError(
        _("The file is too large: at most %(size)s MB.") % {"size": round(limit / 1_048_576, 1)}
    )
    if size is not None and size > limit:
        raise too_big
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ResourceError(_("The file is empty."))
    kind = filetype.guess(data)
    if kind is not None and kind.mime in ALLOWED_TYPES:
        content_type, extension = kind.mime, ALLOWED_TYPES[kind.mime]
    elif kind is None and _is_plain_text(data):
        content_type, extension = TEXT_TYPE, "txt"
    else:
        raise ResourceError(_(
            "This kind of file cannot be shared here. Upload a PDF, an image (PNG, JPEG "
            "or WebP), an office document (OpenDocument or Microsoft Office) or plain text."
        ))
    return CheckedFile(data=data, content_type=content_type, extension=extension,
                       filename=_clean_filename(name, extension))


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data or MARKUP.search(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def clean_tags(text: str) -> list[str]:
    """Tags from a comma-separated text: lower case, single spaces, no '#', each once,
    in the order given. Refuses too many or too long."""
    names: list[str] = []
    for raw in (text or "").split(","):
        name = " ".join(raw.replace("#", " ").split()).casefold()
        if not name or name in names:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise ResourceError(_("A tag has at most %(count)s characters.")
                                % {"count": TAG_MAX_LENGTH})
        names.append(name)
    if len(names) > TAGS_MAX:
        raise ResourceError(_("At most %(count)s tags.") % {"count": TAGS_MAX})
    return names


def _tags(names: list[str]) -> list[Tag]:
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=names))


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise ResourceError(_("The link is too long."))
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ResourceError(_("Give a link that starts with http:// or https://.")) from None
    return url


def add_resource(
    *, chapter: Chapter, author: Member, title: str, description: str = "",
    url: str = "", upload: IO[bytes] | None = None, upload_name: str = "",
    upload_size: int | None = None, visibility: str = Visibility.PUBLIC, tags: str = "",
) -> Resource:
    """Add a link (`url`) or a file (`upload`) to `chapter`'s library.

    Who may add is the interface's check (`resources.add_resource`). Refuses
    (ResourceError, nothing stored: no row, no file) an empty or oversized title or
    description, both or neither of a link and a file, a link that is not http(s), a
    file that check_upload refuses, bad tags. The file is written under
    PRIVATE_MEDIA_ROOT with a made-up name; removed again if the row cannot be stored."""
    title = title.strip()
    description = description.strip()
    if not title:
        raise ResourceError(_("Give the resource a title."))
    if len(title) > TITLE_MAX_LENGTH or len(description) > DESCRIPTION_MAX_LENGTH:
        raise ResourceError(_("Too long: at most %(title)s characters for the title and "
                              "%(description)s for the description.")
                            % {"title": TITLE_MAX_LENGTH, "description": DESCRIPTION_MAX_LENGTH})
    if visibility not in Visibility.values:
        raise ResourceError(_("Choose who can see it."))
    has_url = bool((url or "").strip())
    if has_url == (upload is not None):
        raise ResourceError(_("Give either a link or a file (one of them)."))
    names = clean_tags(tags)
    checked = check_upload(upload, name=upload_name, size=upload_size) if upload else None
    resource = Resource(chapter=chapter, author=author, title=title,
                        description=description, visibility=visibility)
    if checked is None:
        resource.url = _clean_url(url)
    else:
        resource.content_type = checked.content_type
        resource.extension = checked.extension
        resource.filename = checked.filename
        resource.size = len(checked.data)
        resource.file.save(checked.filename, ContentFile(checked.data), save=False)
    try:
        with transaction.atomic():
            resource.save()
            resource.tags.set(_tags(names))
    except BaseException:
        if resource.file:
            resource.file.delete(save=False)
        raise
    return resource


def remove_resource(*, resource: Resource, by: Member, reason: str) -> None:
    """A facilitator removes a resource from the library, saying why (audited: the
    entry keeps the title, the author and the reason). The file goes after commit.
    Who may is the interface's check (`resources.remove_resource`)."""
    reason = reason.strip()
    if not reason:
        raise ResourceError(_("Say why the resource is removed."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ResourceError(_("The reason is too long: at most %(count)s characters.")
                            % {"count": REASON_MAX_LENGTH})
    with transaction.atomic():
        audit.record(actor=by, action="resources.remove", target=resource,
                     chapter=resource.chapter, data={
                         "title": resource.title, "reason": reason,
                         "author": resource.author.display_name if resource.author else "",
                     })
        _delete_resources([resource])


def _delete_resources(resources: list[Resource]) -> None:
    files = [resource.file for resource in resources if resource.file]
    Resource.objects.filter(pk__in=[resource.pk for resource in resources]).delete()

    def remove_files() -> None:
        for file in files:
            file.storage.delete(file.name)

    transaction.on_commit(remove_files)


def write_lesson(*, chapter: Chapter, author: Member, title: str, body: str,
                 topic: str) -> Lesson:
    """Share a lesson learned by `chapter` with every chapter, with its comments
    thread (the discussions app's, members of any chapter post in it). Who may write
    is the interface's check (`resources.write_lesson`)."""
    from chapterhouse.discussions.services import start_thread

    title = title.strip()
    body = body.strip()
    if not title:
        raise ResourceError(_("Give the lesson a title."))
    if not body:
        raise ResourceError(_("Write what you learned."))
    if len(title) > TITLE_MAX_LENGTH or len(body) > LESSON_BODY_MAX_LENGTH:
        raise ResourceError(_("The lesson is too long: at most %(title)s characters for "
                              "the title and %(body)s for the text.")
                            % {"title": TITLE_MAX_LENGTH, "body": LESSON_BODY_MAX_LENGTH})
    if topic not in Topic.values:
        raise ResourceError(_("Choose a topic."))
    with transaction.atomic():
        lesson = Lesson.objects.create(chapter=chapter, author=author, title=title,
                                       body=body, topic=topic)
        start_thread(chapter=chapter, author=author, title=title, body=None,
                     kind="comments", subject=lesson, posting_rule="resources.comment_lesson")
    return lesson


def mark_helpful(*, lesson: Lesson, member: Member) -> LessonHelp:
    """`member`'s chapter (their home) says the lesson helped it: once per chapter per
    lesson (a constraint: a second member of the same chapter, or a second request at
    once, is refused), never from the lesson's own chapter or one below it. Counted on
    the lesson; its author is told (once per chapter: the notice names the event)."""
    chapter = member.home_chapter
    if member.belongs_to(lesson.chapter):
        raise ResourceError(_("Lessons are marked helpful by other chapters, not by "
                              "their own."))
    already = ResourceError(_("Your chapter has already said this lesson helped it."))
    if LessonHelp.objects.filter(lesson=lesson, chapter=chapter).exists():
        raise already
    with transaction.atomic():
        try:
            with transaction.atomic():
                helped = LessonHelp.objects.create(lesson=lesson, chapter=chapter,
                                                   member=member)
        except IntegrityError:
            raise already from None
        Lesson.objects.filter(pk=lesson.pk).update(helped_count=F("helped_count") + 1)
        lesson.helped_count += 1
        if lesson.author is not None:
            notify(recipients=[lesson.author], kind=Kind.LESSON_HELPED,
                   message="resources.lesson_helped",
                   params={"chapter": place(chapter), "title": lesson.title},
                   url=lesson.get_absolute_url(),
                   event=f"lesson_helped:{lesson.public_id}:{chapter.pk}")
    return helped


def remove_writing_of(member: Member) -> int:
    """Remove what `member` wrote here as they delete their account (members.account_data;
    inside the deletion's transaction), as forum posts are: their resources go (files
    after commit); their lessons keep their place (title, comments, "this helped us"
    of other chapters) but lose their text, shown as removed by its author. Returns
    how many items it removed or emptied."""
    with transaction.atomic():
        resources = list(Resource.objects.filter(author=member))
        _delete_resources(resources)
        emptied = Lesson.objects.filter(author=member).update(body="")
    return len(resources) + emptied
