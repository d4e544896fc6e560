"""Bench-only proposals (needs DJANGO_SETTINGS_MODULE + DATABASE_URL): idempotent.

The proposals-list target in QUALITY.md is about a chapter with 1,000 proposals; the demo
decisions generator makes a handful. This adds, with bulk_create and a fixed seed,
`--large` published proposals (in deliberation) to the largest city chapter and
`--small` to a small one, so the page can be measured at two sizes. Does nothing when
bench proposals already exist.
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chapterhouse.config.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chapterhouse.chapters.models import Chapter, ChapterLevel  # noqa: E402
from chapterhouse.decisions.models import Proposal  # noqa: E402
from chapterhouse.members.models import Member  # noqa: E402

PREFIX = "Bench proposal"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--small", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args()
    if Proposal.objects.filter(title__startswith=PREFIX).exists():
        print("bench proposals already exist")
        return
    cities = Chapter.objects.filter(level=ChapterLevel.CITY)
    big = cities.order_by("-member_count", "path").first()
    small = cities.filter(member_count__gt=0).order_by("member_count", "path").first()
    if big is None or small is None:
        raise SystemExit("seed_proposals: no city chapters; seed the organisation first")
    rng = random.Random(args.seed)
    now = timezone.now()
    rows = []
    for chapter, n in ((big, args.large), (small, args.small)):
        authors = list(
            Member.objects.filter(home_chapter__path__startswith=chapter.path)
            .order_by("id").values_list("id", flat=True)[:200]
        )
        for i in range(n):
            created = now - timedelta(minutes=rng.randint(60, 60 * 24 * 30))
            rows.append(Proposal(
                chapter=chapter, author_id=rng.choice(authors) if authors else None,
                title=f"{PREFIX} {i + 1} for {chapter.name}",
                text="A proposal generated for the benchmark.\n\n" + "Lorem ipsum. " * 40,
                category="routine", status=Proposal.Status.DELIBERATION,
                created_at=created, updated_at=created, published_at=created,
                amendments_close_at=now + timedelta(days=7),
                voting_opens_at=now + timedelta(days=7),
                voting_closes_at=now + timedelta(days=14),
            ))
    with transaction.atomic():
        Proposal.objects.bulk_create(rows, batch_size=1000)
    print(f"bench proposals: {args.large} in {big.url_path}, {args.small} in {small.url_path}")


if __name__ == "__main__":
    main()
