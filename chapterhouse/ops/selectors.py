"""What `manage.py check_data` reads: the database's own integrity, the stored
counters against recounts, the decision chain and the uploaded files. Each check
is the owning app's selector where there is one; each returns plain sentences,
empty when all is well."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import DatabaseError, connection
from django.db.models import FileField, Q

from chapterhouse.chapters.selectors import tree_problems
from chapterhouse.decisions.selectors import chain_problems
from chapterhouse.discussions.selectors import post_count_problems
from chapterhouse.members.selectors import member_count_problems

from .backup import sqlite_integrity_problems


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], list[str]]


def checks() -> list[Check]:
    """The checks, in the order to run them: the database first (nothing else is
    worth reading from a damaged one)."""
    return [
        Check("Database integrity", database_problems),
        Check("Chapter tree", tree_problems),
        Check("Chapter member counts", member_count_problems),
        Check("Thread post counts", post_count_problems),
        Check("Decision record chain", chain_problems),
        Check("Uploaded files", upload_problems),
    ]


def database_problems() -> list[str]:
    """SQLite: its integrity check and foreign key check. PostgreSQL (which has no
    integrity check of its own without extensions): every row of every table read
    back, so a damaged page or TOAST value shows as an error here."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return sqlite_integrity_problems(raw)
    if connection.vendor != "postgresql":
        return []
    problems = []
    for table in connection.introspection.table_names():
        try:
            # The driver's errors become Django's; autocommit, so nothing to roll back.
            with connection.wrap_database_errors, raw.cursor() as cursor, cursor.copy(
                f"COPY {connection.ops.quote_name(table)} TO STDOUT"
            ) as copy:
                for _block in copy:
                    pass
        except DatabaseError as error:
            problems.append(f"Table {table} cannot be read in full: {error}".strip())
    return problems


def upload_problems() -> list[str]:
    """Files the database names that are missing from storage: every FileField, each
    in its own storage (avatars under MEDIA_ROOT, private messages' images under
    PRIVATE_MEDIA_ROOT)."""
    problems = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, FileField):
                continue
            named = model._default_manager.exclude(Q(**{field.name: ""}) | Q(
                **{f"{field.name}__isnull": True})).values_list("pk", field.name)
            for pk, name in named.iterator():
                if not field.storage.exists(name):
                    problems.append(f"{model._meta.label} {pk}: its {field.name} file {name} "
                                    "is missing.")
    return problems
