"""The search index: one `Entry` per thing a reader may find.

An entry copies what is searched (title, body text) and what filters it (kind,
chapter and its path, date) from its object, and says who may find it in one
`audience` key (see `audiences`): the query keeps only the entries whose key is in
the viewer's set, so nothing else is ever counted or snippeted. Entries are written
only by the indexer (`services`), from tasks, never in a request.

PostgreSQL searches `vector` (a tsvector the indexer computes: 'simple' for every
language, with the shipped languages' stemming beside it, accents removed by
`unaccent`); SQLite searches the FTS5 table `search_entry_fts` (migration 0002),
whose rowid is the entry's id, kept in step by the indexer.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

TITLE_MAX_LENGTH = 300
BODY_MAX_LENGTH = 20_000


class Entry(models.Model):
    kind = models.CharField(max_length=20)
    # "<app_label>.<model>:<pk>": unique, what a reindex of one object replaces.
    key = models.CharField(max_length=80, unique=True)
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    chapter_path = models.CharField(max_length=255, blank=True, default="")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500)
    date = models.DateTimeField()
    audience = models.CharField(max_length=40)
    # PostgreSQL only (null on SQLite, which uses its FTS5 table); its GIN index is
    # made by migration 0002 on PostgreSQL alone (SQLite has no GIN).
    vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["audience", "kind"], name="search_entry_audience"),
            models.Index(fields=["chapter_path"], name="search_entry_path"),
            # The newest matches first (selectors.search ranks only those).
            models.Index(fields=["date", "id"], name="search_entry_date"),
        ]

    def __str__(self) -> str:
        return self.key
