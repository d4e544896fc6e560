"""The site's side of the backup tests, run as a real process against the database
named by DATABASE_URL (`python -m chapterhouse.ops.tests.site_process seed|write`).

write  a member and a thread, then replies through the real service for ever,
       printing each reply's id once its transaction has committed (acknowledged).
       Stopped by a signal.
"""

from __future__ import annotations

import io
import os
import sys
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def seed() -> None:
    """A member with an avatar, a thread with replies, a closed decision and a private
    message with an image (called in the test process, where what it commits is
    copied to the site's database)."""
    from chapterhouse.conversations.services import start_conversation
    from chapterhouse.decisions.tests.factories import close, in_voting, vote
    from chapterhouse.discussions.tests.factories import make_thread
    from chapterhouse.members.services import set_avatar
    from chapterhouse.members.tests.factories import make_member

    member = make_member("Ada Seed", city="London", neighbourhood="Hackney",
                         email=f"ada-{uuid.uuid4().hex}@example.org")
    other = make_member("Bo Seed", city="Lyon", region=("FR-ARA", "Auvergne-Rhône-Alpes"),
                country=("FR", "France"), email=f"bo-{uuid.uuid4().hex}@example.org")
    set_avatar(member=member, content=_png())
    make_thread(member, title="Seeded", replies=3)
    proposal = in_voting(member, title="Seeded decision")
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    start_conversation(author=member, recipients=[other], body="A picture",
                       image=io.BytesIO(_png()))


def write() -> None:
    from chapterhouse.chapters import limits
    from chapterhouse.discussions import services
    from chapterhouse.discussions.tests.factories import make_thread
    from chapterhouse.members.tests.factories import make_member

    member = make_member("Wren Writer", city="London", neighbourhood="Hackney",
                         email=f"wren-{uuid.uuid4().hex}@example.org")
    thread = make_thread(member, title="Written during the backup")
    print("ready", thread.pk, flush=True)
    number = 0
    with limits.lifted():  # a brand-new member writing hundreds of replies a minute
        while True:
            number += 1
            post = services.reply(thread=thread, author=member,
                                  body=f"Reply {number} " + "x" * 500)
            print(post.pk, flush=True)  # reply() returned: committed


if __name__ == "__main__":
    import django

    django.setup()
    {"write": write}[sys.argv[1]]()
