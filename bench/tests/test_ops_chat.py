"""bench/ops/chat.py at a tiny size: every socket gets every message once, in order, on
both sides, and the bench's messages are gone after."""

import pytest

from bench.ops import chat
from bench.ops.common import Context
from chapterhouse.chat.models import Message
from chapterhouse.members.tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_chat_row_delivers_everything_once_in_order(member, outsider):
    for index in range(4):
        make_member(f"Listener {index}", city="London", neighbourhood="Islington")
    ctx = Context(tier="S", rounds=2, ci=True,
                  options={"chat_members": 6, "chat_messages": 3, "chat_rate": 50})
    [result] = chat.measure(ctx)
    assert result["correct"], result["notes"]
    assert result["members"] == 6
    # 2 rounds × 3 messages × 6 sockets deliveries per side.
    assert result["ours"]["n"] == 36 and result["reference_stats"]["n"] == 36
    assert result["drops"] == {"ours": 0, "reference": 0}
    assert not Message.objects.exists()

