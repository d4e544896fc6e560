"""Who may do what with private messages. Checked through `viewer.can(name, obj)`.

- Only a conversation's participants read it, its messages and its images; to
  anyone else it does not exist (404).
- Participants whose account is active post in it; whether the others accept their
  messages (blocks) is the service's to say, with a message.
- A participant reports a message someone else wrote.
"""

from __future__ import annotations

import rules

from chapterhouse.lib.interface import Viewer

from . import selectors
from .models import Conversation, Message


@rules.predicate
def takes_part(viewer: Viewer, conversation: Conversation | None) -> bool:
    return conversation is not None and selectors.is_participant(viewer, conversation)


@rules.predicate
def is_active(viewer: Viewer, obj: object) -> bool:
    return viewer.active_member is not None


@rules.predicate
def may_report(viewer: Viewer, message: Message | None) -> bool:
    member = viewer.active_member
    return (message is not None and member is not None and message.author_id != member.pk
            and selectors.is_participant(viewer, message.conversation))


rules.add_perm("conversations.view_conversation", takes_part)
rules.add_perm("conversations.post_message", takes_part & is_active)
rules.add_perm("conversations.report_message", may_report)
