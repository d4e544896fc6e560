"""The indexer: the only writer of `Entry` (and of SQLite's FTS5 table beside it).

Called by the tasks (never in a request) and by `manage.py search_index`. Every
function is idempotent: indexing an object twice leaves one entry, the same one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Model

from chapterhouse.discussions.models import Post
from chapterhouse.lib import reportables
from chapterhouse.moderation.models import Hidden

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Entry
from .sources import BY_MODEL, NOBODY, SOURCES, Source, as_read, entry_key

BATCH_SIZE = 500
# The languages whose stemming PostgreSQL adds to the 'simple' words (Arabic has no
# configuration there: it is searched by its words as written).
PG_CONFIGS = ("english", "spanish", "french", "portuguese", "german")


def _vector_sql() -> str:
    stemmed = " || ".join(
        f"setweight(to_tsvector('{config}', unaccent(title || ' ' || body)), 'D')"
        for config in PG_CONFIGS
    )
    return ("setweight(to_tsvector('simple', unaccent(title)), 'A') || "
            f"setweight(to_tsvector('simple', unaccent(body)), 'B') || {stemmed}")


def _write_backend(ids: Sequence[int]) -> None:
    """Bring the full-text structures of the entries `ids` in step with their rows."""
    if not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE search_entry SET vector = {_vector_sql()} "  # noqa: S608
                f"WHERE id IN ({placeholders})", list(ids))
        elif connection.vendor == "sqlite":
            _delete_fts(cursor, ids)
            cursor.execute(
                "INSERT INTO search_entry_fts (rowid, title, body) "  # noqa: S608
                f"SELECT id, title, body FROM search_entry WHERE id IN ({placeholders})",
                list(ids))


def _delete_fts(cursor: Any, ids: Sequence[int]) -> None:
    if connection.vendor == "sqlite" and ids:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM search_entry_fts WHERE rowid IN ({placeholders})",  # noqa: S608
                       list(ids))


def _remove_keys(keys: Iterable[str]) -> int:
    ids = list(Entry.objects.filter(key__in=list(keys)).values_list("id", flat=True))
    if ids:
        with connection.cursor() as cursor:
            _delete_fts(cursor, ids)
        Entry.objects.filter(id__in=ids).delete()
    return len(ids)


def _hidden_pks(source: Source, objects: Sequence[Model]) -> set[int]:
    """The pks of `objects` that moderation hides now (one query for the batch): only
    for what members may report (lib.reportables), which is all moderation hides."""
    if reportables.get(source.label_lower) is None or not objects:
        return set()
    content_type = ContentType.objects.get_for_model(source.model)
    return set(Hidden.objects.filter(content_type=content_type, restored_at__isnull=True,
                                     object_id__in=[obj.pk for obj in objects])
               .values_list("object_id", flat=True))


def _store(source: Source, objects: Sequence[Model]) -> list[int]:
    """Write the entries of `objects` (all of `source`'s kind) in one upsert; their ids."""
    hidden = _hidden_pks(source, objects)
    rows = []
    for obj in objects:
        document = source.document(obj)
        chapter = document.chapter
        rows.append(Entry(
            key=entry_key(source.label_lower, obj.pk),
            kind=source.kind,
            chapter=chapter,
            chapter_path=chapter.path if chapter is not None else "",
            title=document.title[:TITLE_MAX_LENGTH],
            body=as_read(document.body)[:BODY_MAX_LENGTH],
            url=document.url,
            date=document.date,
            audience=NOBODY if obj.pk in hidden else document.audience,
        ))
    if not rows:
        return []
    Entry.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["key"],
        update_fields=["kind", "chapter", "chapter_path", "title", "body", "url", "date",
                       "audience"])
    ids = list(Entry.objects.filter(key__in=[row.key for row in rows])
               .values_list("id", flat=True))
    _write_backend(ids)
    return ids


def index_object(*, label_lower: str, pk: Any) -> bool:
    """(Re)index one object of an indexed model, or drop its entry if it is gone.
    Things that borrow its visibility follow it: the posts of threads about it (a
    members-only event's comments), the posts of a thread. True if it is indexed."""
    source = BY_MODEL.get(label_lower)
    indexed = False
    if source is not None:
        indexed = index_many(source, [pk]) > 0
    _reindex_followers(label_lower, pk)
    return indexed


def index_pks(*, label_lower: str, pks: Sequence[Any]) -> int:
    source = BY_MODEL.get(label_lower)
    return index_many(source, pks) if source is not None else 0


def _reindex_followers(label_lower: str, pk: Any) -> None:
    app_label, model = label_lower.split(".")
    if label_lower in ("discussions.post", "chat.message", "members.member"):
        return
    posts = Post.objects.filter(thread__subject_type__app_label=app_label,
                                thread__subject_type__model=model,
                                thread__subject_id=str(pk))
    if label_lower == "discussions.thread":
        posts = Post.objects.filter(thread_id=pk)
    index_many(BY_MODEL["discussions.post"], posts.values_list("pk", flat=True))


def index_many(source: Source, pks: Iterable[Any]) -> int:
    """(Re)index the objects `pks` of `source`, in batches; the number indexed."""
    to_python = source.model._meta.pk.to_python
    pk_list = [to_python(pk) for pk in pks]
    done = 0
    for start in range(0, len(pk_list), BATCH_SIZE):
        chunk = pk_list[start:start + BATCH_SIZE]
        with transaction.atomic():
            objects = list(source.load().filter(pk__in=chunk))
            found = {obj.pk for obj in objects}
            _remove_keys(entry_key(source.label_lower, pk) for pk in chunk if pk not in found)
            done += len(_store(source, objects))
    return done


def index_chapter_content(*, chapter_id: int) -> int:
    """Reindex every entry of a chapter (its sections' visibility changed)."""
    total = 0
    for source in SOURCES:
        keys = Entry.objects.filter(chapter_id=chapter_id, kind=source.kind).values_list(
            "key", flat=True)
        total += index_many(source, [key.rsplit(":", 1)[1] for key in keys])
    return total


def rebuild(*, kinds: Sequence[str] | None = None) -> dict[str, int]:
    """Index everything again from the apps' rows (batched): entries of objects that
    are gone are dropped. The count indexed per kind."""
    counts: dict[str, int] = {}
    for source in SOURCES:
        if kinds and source.kind not in kinds:
            continue
        pks = list(source.model._default_manager.order_by("pk").values_list("pk", flat=True))
        counts[source.kind] = index_many(source, pks)
        keep = {entry_key(source.label_lower, pk) for pk in pks}
        stale = [key for key in Entry.objects.filter(kind=source.kind).values_list(
            "key", flat=True) if key not in keep]
        _remove_keys(stale)
    return counts
