"""Moderation's writes: report, hide, restore, dismiss, appeal and decide an appeal.

Each is one transaction, audited (lib.audit), and each decision is a line of the
chapter's public moderation log (`Action`, without the content). Who may do it is the
interface's check (moderation.rules); these refuse bad input and states (`Refused`,
nothing changed).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.lib import audit, reportables
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.errors import Refused
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import selectors
from .models import (
    DEFAULT_ESCALATION_HOURS,
    REASON_MAX_LENGTH,
    Action,
    Appeal,
    Hidden,
    ModerationSettings,
    Report,
)

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def _reportable(target: Any) -> reportables.Reportable:
    reportable = reportables.get(target._meta.label_lower)
    if reportable is None:
        raise Refused(_("This cannot be reported."))
    return reportable


def _reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refused(missing)
    if len(reason) > REASON_MAX_LENGTH:
        raise Refused(_("The reason is too long: at most %(max)s characters.")
                      % {"max": REASON_MAX_LENGTH})
    return reason


def escalation_hours(chapter: Chapter | None) -> int:
    if chapter is None:
        return DEFAULT_ESCALATION_HOURS
    hours = (ModerationSettings.objects.filter(chapter=chapter)
             .values_list("escalate_after_hours", flat=True).first())
    return DEFAULT_ESCALATION_HOURS if hours is None else hours


def set_escalation_hours(*, chapter: Chapter, member: Member, hours: int) -> None:
    """The chapter's facilitators choose how long a report waits for them before the
    facilitators above see it (from 1 hour to 30 days). Reports made before keep
    their time."""
    if not 1 <= hours <= 24 * 30:
        raise Refused(_("Choose between 1 hour and 720 hours (30 days)."))
    with transaction.atomic():
        ModerationSettings.objects.update_or_create(
            chapter=chapter, defaults={"escalate_after_hours": hours})
        audit.record(actor=member, action="moderation.set_escalation", target=chapter,
                     chapter=chapter, data={"hours": hours})


def report(*, reporter: Member, target: Any, reason: str) -> Report:
    """`reporter` reports `target` to the facilitators of its chapter, with a reason.

    One open report per member per thing: reporting it again changes the reason (it
    counts once, and waits from the first report)."""
    reportable = _reportable(target)
    reason = _reason(reason, _("Say why you report this."))
    author = reportable.author_of(target)
    if author is not None and author.pk == reporter.pk:
        raise Refused(_("You cannot report what you wrote."))
    content_type = ContentType.objects.get_for_model(target)
    chapter = reportable.chapter_of(target)
    now = timezone.now()
    with transaction.atomic():
        existing = (Report.objects.select_for_update(of=("self",))
                    .filter(content_type=content_type, object_id=target.pk,
                            reporter=reporter, closed_at__isnull=True).first())
        if existing is not None:
            existing.reason, existing.updated_at = reason, now
            existing.save(update_fields=["reason", "updated_at"])
            return existing
        try:
            with transaction.atomic():
                made = Report.objects.create(
                    content_type=content_type, object_id=target.pk, chapter=chapter,
                    reporter=reporter, reason=reason, created_at=now, updated_at=now,
                    escalates_at=now + timedelta(hours=escalation_hours(chapter)),
                )
        except IntegrityError:  # the same member's report at the same moment
            made = Report.objects.get(content_type=content_type, object_id=target.pk,
                                      reporter=reporter, closed_at__isnull=True)
            made.reason, made.updated_at = reason, now
            made.save(update_fields=["reason", "updated_at"])
            return made
        audit.record(actor=reporter, action="moderation.report", target=made,
                     chapter=chapter, data={"content": reportable.label,
                                            "object_id": target.pk})
        _queue_changed()
    return made


def parent_of(chapter: Chapter) -> Chapter | None:
    """The chapter directly above `chapter` (None for the root)."""
    paths = chapter.ancestor_paths()
    return Chapter.objects.filter(path=paths[-2]).first() if len(paths) > 1 else None


def role_of(member: Member, chapter: Chapter | None) -> str:
    """How the public log names who decided: a facilitator of the chapter, of a
    chapter above, or staff."""
    if chapter is not None:
        paths = set(ChapterRole.objects.active().filter(
            member=member, role=ChapterRole.Role.FACILITATOR,
            chapter__path__in=chapter.ancestor_paths(),
        ).values_list("chapter__path", flat=True))
        if chapter.path in paths:
            return Action.Role.FACILITATOR
        if paths:
            return Action.Role.PARENT_FACILITATOR
    return Action.Role.STAFF


def _queue_changed() -> None:
    """The queues' counts on the chapter pages show a new or closed report at once."""
    transaction.on_commit(lambda: lib_cache.bump_version(selectors.QUEUE_VERSION_KEY))


def _close_reports(content_type: ContentType, object_id: int, now: Any) -> int:
    _queue_changed()
    return Report.objects.filter(content_type=content_type, object_id=object_id,
                                 closed_at__isnull=True).update(closed_at=now)


def _log(*, kind: str, content_type: ContentType, object_id: int, chapter: Chapter | None,
         reason: str, actor: Member, role: str, now: Any) -> Action:
    return Action.objects.create(kind=kind, content_type=content_type, object_id=object_id,
                                 chapter=chapter, reason=reason, actor=actor, role=role,
                                 created_at=now)


def _tell(author: Member | None, message: str, reason: str, url: str) -> None:
    if author is not None:
        notify(recipients=[author], kind=Kind.MODERATION, message=message,
               params={"reason": reason}, url=url)


def hide(*, target: Any, moderator: Member, reason: str) -> Hidden:
    """Hide `target`: its reason is shown in its place (its author still sees it, with
    the reason), its open reports are closed, its author is told."""
    reportable = _reportable(target)
    reason = _reason(reason, _("Say why you hide this: the reason is shown in its place."))
    content_type = ContentType.objects.get_for_model(target)
    chapter = reportable.chapter_of(target)
    author = reportable.author_of(target)
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                hidden = Hidden.objects.create(
                    content_type=content_type, object_id=target.pk, chapter=chapter,
                    author=author, reason=reason, hidden_by=moderator, hidden_at=now,
                )
        except IntegrityError:
            raise Refused(_("This is hidden already.")) from None
        _close_reports(content_type, target.pk, now)
        role = role_of(moderator, chapter)
        _log(kind=Action.Kind.HIDE, content_type=content_type, object_id=target.pk,
             chapter=chapter, reason=reason, actor=moderator, role=role, now=now)
        audit.record(actor=moderator, action="moderation.hide", target=hidden,
                     chapter=chapter, data={"content": reportable.label,
                                            "object_id": target.pk, "reason": reason})
        _tell(author, "moderation.hidden", reason, reportable.url_of(target))
    return hidden


def _current_hidden(content_type: ContentType, object_id: int) -> Hidden | None:
    return (Hidden.objects.select_for_update(of=("self",))
            .filter(content_type=content_type, object_id=object_id, restored_at__isnull=True)
            .first())


def restore(*, target: Any, moderator: Member, reason: str) -> Hidden:
    """Show hidden `target` again; an appeal still waiting is closed as restored."""
    reportable = _reportable(target)
    reason = _reason(reason, _("Say why you restore this."))
    content_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    with transaction.atomic():
        hidden = _current_hidden(content_type, target.pk)
        if hidden is None:
            raise Refused(_("This is not hidden."))
        hidden.restored_at = now
        hidden.save(update_fields=["restored_at"])
        Appeal.objects.filter(hidden=hidden, decided_at__isnull=True).update(
            outcome=Appeal.Outcome.RESTORED, decided_by=moderator, decided_at=now,
            decision_reason=reason)
        _close_reports(content_type, target.pk, now)
        _log(kind=Action.Kind.RESTORE, content_type=content_type, object_id=target.pk,
             chapter=hidden.chapter, reason=reason, actor=moderator,
             role=role_of(moderator, hidden.chapter), now=now)
        audit.record(actor=moderator, action="moderation.restore", target=hidden,
                     chapter=hidden.chapter, data={"reason": reason})
        _tell(reportable.author_of(target), "moderation.restored", reason,
              reportable.url_of(target))
    return hidden


def dismiss(*, target: Any, moderator: Member, reason: str) -> int:
    """Close the open reports of `target` without hiding it. Returns how many."""
    reportable = _reportable(target)
    reason = _reason(reason, _("Say why you dismiss these reports."))
    content_type = ContentType.objects.get_for_model(target)
    chapter = reportable.chapter_of(target)
    now = timezone.now()
    with transaction.atomic():
        closed = _close_reports(content_type, target.pk, now)
        if not closed:
            raise Refused(_("There is no open report of this."))
        action = _log(kind=Action.Kind.DISMISS, content_type=content_type,
                      object_id=target.pk, chapter=chapter, reason=reason, actor=moderator,
                      role=role_of(moderator, chapter), now=now)
        audit.record(actor=moderator, action="moderation.dismiss", target=action,
                     chapter=chapter, data={"content": reportable.label,
                                            "object_id": target.pk, "reports": closed})
    return closed


def appeal(*, hidden: Hidden, author: Member, text: str) -> Appeal:
    """The author appeals a hiding, once; the facilitators of the parent chapter of
    the content's chapter decide (staff, at the top of the tree)."""
    text = _reason(text, _("Say why it should be shown again."))
    with transaction.atomic():
        locked = (Hidden.objects.select_for_update(of=("self",)).select_related("chapter")
                  .get(pk=hidden.pk))
        if locked.restored_at is not None:
            raise Refused(_("This is shown again already."))
        if Appeal.objects.filter(hidden=locked).exists():
            raise Refused(_("You have appealed this already: an appeal is made once."))
        parent = parent_of(locked.chapter) if locked.chapter is not None else None
        made = Appeal.objects.create(hidden=locked, chapter=parent, text=text)
        audit.record(actor=author, action="moderation.appeal", target=made,
                     chapter=locked.chapter, data={"hidden": locked.pk})
    return made


def decide_appeal(*, appeal: Appeal, moderator: Member, restore: bool, reason: str) -> Appeal:
    """Uphold the hiding or show the content again; the author is told."""
    reason = _reason(reason, _("Say why you decide so: the author is told."))
    now = timezone.now()
    with transaction.atomic():
        locked = (Appeal.objects.select_for_update(of=("self",)).select_related("hidden", "chapter")
                  .get(pk=appeal.pk))
        if locked.decided_at is not None:
            raise Refused(_("This appeal was decided already."))
        hidden = locked.hidden
        locked.outcome = Appeal.Outcome.RESTORED if restore else Appeal.Outcome.UPHELD
        locked.decided_by, locked.decided_at, locked.decision_reason = moderator, now, reason
        locked.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
        if restore:
            hidden.restored_at = now
            hidden.save(update_fields=["restored_at"])
        kind = Action.Kind.APPEAL_RESTORED if restore else Action.Kind.APPEAL_UPHELD
        role = (Action.Role.PARENT_FACILITATOR if locked.chapter is not None
                and role_of(moderator, locked.chapter) == Action.Role.FACILITATOR
                else Action.Role.STAFF)
        _log(kind=kind, content_type=hidden.content_type, object_id=hidden.object_id,
             chapter=hidden.chapter, reason=reason, actor=moderator, role=role, now=now)
        audit.record(actor=moderator, action="moderation.decide_appeal", target=locked,
                     chapter=hidden.chapter, data={"outcome": locked.outcome,
                                                   "reason": reason})
        if hidden.author is not None:
            notify(recipients=[hidden.author], kind=Kind.MODERATION,
                   message=("moderation.appeal_restored" if restore
                            else "moderation.appeal_upheld"),
                   params={"reason": reason}, url=_url_of_hidden(hidden))
    return locked


def _url_of_hidden(hidden: Hidden) -> str:
    model = hidden.content_type.model_class()
    reportable = reportables.get(hidden.content_type.app_label + "." + hidden.content_type.model)
    if model is None or reportable is None:
        return ""
    target = model._default_manager.filter(pk=hidden.object_id).first()
    return reportable.url_of(target) if target is not None else ""
