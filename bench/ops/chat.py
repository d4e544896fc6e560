"""A chat room with many connected members receiving messages, against a raw
channel-layer group send to the same sockets.

Setup (untimed): the International's room (everyone belongs to it), and `members`
sockets on it through the real consumer (chat.consumers.ChatConsumer: the room fetched
with the pages' rules, the channel-layer group joined), each authenticated as a
different active member. Whatever channel layer the settings name is used: in memory
without REDIS_URL, Redis with it (the issue's target is on Redis).

Per round, each side sends `messages` messages at `rate` per second:

- ours: one member's socket sends `{"type": "message", "text": …}`; the consumer
  validates it, stores it (services.post_message, one transaction), and the service
  broadcasts the stored message after its commit;
- the reference: `channel_layer.group_send` of an already rendered message to the same
  group (what the broadcast alone costs: no validation, no database, no rendering).

A sample is one delivery: the time from the send to one socket receiving the message.
Correct when every socket got every message of both sides once, in order (0 drops).
Target (QUALITY.md): ours p95 ≤ 100 ms with 0 drops at 1,000 members and 10 msg/s.

Sizes: tier S 200 sockets, M and L 1,000; --ci 20 sockets and 5 messages; options
`chat_members`, `chat_messages`, `chat_rate`. The bench's messages are deleted after.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync

from bench.ops.common import Context, row, stats

TEXT = "bench chat message"
TIMEOUT = 5.0
# The reference's messages carry ids far above any stored message's: a consumer sends an
# id once per connection, so they must never be taken for the ones ours stores.
REFERENCE_IDS = 10**15


def _sizes(ctx: Context) -> tuple[int, int, float]:
    members = 20 if ctx.ci else (200 if ctx.tier == "S" else 1000)
    messages = 5 if ctx.ci else 20
    return (int(ctx.options.get("chat_members", members)),
            int(ctx.options.get("chat_messages", messages)),
            float(ctx.options.get("chat_rate", 10)))


def _setup(count: int) -> tuple[Any, list[Any]]:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.chat import services
    from chapterhouse.members.models import Member

    root = Chapter.objects.get(depth=1)
    room = services.chapter_room(chapter=root)
    members = list(Member.objects.filter(user__is_active=True)
                   .select_related("user", "home_chapter").order_by("pk")[:count])
    if len(members) < 2:
        raise RuntimeError("The chat bench needs at least two active members.")
    return room, members


def _clean(room: Any) -> None:
    from chapterhouse.chat.models import Message

    Message.objects.filter(room=room, body__startswith=TEXT).delete()


async def _measure(room: Any, members: list[Any], messages: int, rate: float,
                   rounds: int) -> dict[str, Any]:
    from channels.layers import get_channel_layer
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from chapterhouse.chat import routing

    app = URLRouter(routing.websocket_urlpatterns)
    sockets = []
    for member in members:
        socket = WebsocketCommunicator(app, f"/ws/chat/{room.public_id}/")
        socket.scope["user"] = member.user
        connected, code = await socket.connect(timeout=30)
        if not connected:
            raise RuntimeError(f"A bench socket was refused ({code}).")
        sockets.append(socket)
    # The sender has a socket of its own that no one reads: a listener that times out is
    # stopped by asgiref's communicator, which must count as drops, not end the run.
    sender = WebsocketCommunicator(app, f"/ws/chat/{room.public_id}/")
    sender.scope["user"] = members[0].user
    if not (await sender.connect(timeout=30))[0]:
        raise RuntimeError("The bench's sending socket was refused.")
    layer = get_channel_layer()
    samples: dict[str, list[float]] = {"ours": [], "reference": []}
    medians: dict[str, list[float]] = {"ours": [], "reference": []}
    drops = {"ours": 0, "reference": 0}
    disorder = {"ours": 0, "reference": 0}
    sequence = 0

    async def collect(socket: Any, expected: int, sent_at: dict[str, float],
                      got: list[float]) -> tuple[int, bool]:
        """Receive `expected` messages on one socket: (how many arrived, in order?)."""
        last, ordered, arrived = -1, True, 0
        for _ in range(expected):
            try:
                frame = await socket.receive_json_from(timeout=TIMEOUT)
            except (TimeoutError, asyncio.CancelledError):
                # A drop (asgiref's communicator stops the socket's consumer on a timeout:
                # the rest of its messages count as dropped too).
                break
            now = time.perf_counter()
            message = frame.get("message", {})
            key = message.get("public_id") or ""
            label = message.get("html", "")
            start = sent_at.get(key) or sent_at.get(label)
            if start is not None:
                got.append(now - start)
            number = message.get("id", 0)
            ordered = ordered and number > last
            last = number
            arrived += 1
        return arrived, ordered

    for _round in range(rounds):
        for side in ("ours", "reference"):
            sent_at: dict[str, float] = {}
            got: list[float] = []
            listeners = [asyncio.ensure_future(collect(s, messages, sent_at, got))
                         for s in sockets]
            interval = 1.0 / rate
            for _index in range(messages):
                sequence += 1
                text = f"{TEXT} {sequence}"
                html = f"<p>{text}</p>"
                sent_at[html] = time.perf_counter()
                if side == "ours":
                    await sender.send_json_to({"type": "message", "text": text})
                else:
                    await layer.group_send(room.group, {"type": "chat.message", "message": {
                        "id": REFERENCE_IDS + sequence, "public_id": "", "author": "bench",
                        "author_id": None,
                        "author_url": None, "html": html, "created_at": "", "edited": False,
                        "state": "shown", "hidden_reason": ""}})
                await asyncio.sleep(max(0.0, interval - (time.perf_counter()
                                                         - sent_at[html])))
            results = await asyncio.gather(*listeners)
            drops[side] += sum(messages - arrived for arrived, _ordered in results)
            disorder[side] += sum(1 for _arrived, ordered in results if not ordered)
            samples[side].extend(got)
            if got:
                medians[side].append(sorted(got)[len(got) // 2])
    for socket in [*sockets, sender]:
        await socket.disconnect()
    return {"samples": samples, "medians": medians, "drops": drops, "disorder": disorder}


def measure(ctx: Context) -> list[dict[str, Any]]:
    count, messages, rate = _sizes(ctx)
    room, members = _setup(count)
    _clean(room)
    try:
        # In a thread of its own: the caller's thread may run an event loop already.
        with ThreadPoolExecutor(1) as pool:
            result = pool.submit(async_to_sync(_measure), room, members, messages, rate,
                                 ctx.rounds).result()
    finally:
        _clean(room)
    drops, disorder = result["drops"], result["disorder"]
    correct = not any(drops.values()) and not any(disorder.values())
    ours = result["samples"]["ours"]
    failures: list[str] = []
    p95 = stats(ours)["p95_ms"]
    if not ctx.ci and len(members) >= 1000 and p95 > 100:
        failures.append(f"p95 {p95} ms > 100 ms")
    return [row(
        f"chat room, {len(members):,} connected members at {rate:g} msg/s",
        "raw channel-layer group send to the same sockets",
        ours, result["samples"]["reference"],
        ours_rounds=result["medians"]["ours"], ref_rounds=result["medians"]["reference"],
        target="p95 ≤ 100 ms, 0 drops (at 1,000 members)",
        correct=correct, failures=failures,
        notes=(f"{messages} messages per side per round; drops ours {drops['ours']}, "
               f"reference {drops['reference']}; sockets out of order ours "
               f"{disorder['ours']}, reference {disorder['reference']}; a sample is one "
               "delivery (send → one socket received it)"),
        extra={"members": len(members), "drops": drops},
    )]
