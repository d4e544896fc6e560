"""Fill the sort keys of existing chapters (0005 added them empty)."""

from typing import Any

from django.db import migrations

from chapterhouse.lib.collation import fold

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    Chapter = apps.get_model("chapters", "Chapter")
    batch = []
    for chapter in Chapter.objects.only("pk", "name", "names").iterator(chunk_size=BATCH):
        chapter.sort_name = fold(chapter.name)
        chapter.sort_names = {language: fold(name) for language, name in chapter.names.items()}
        batch.append(chapter)
        if len(batch) >= BATCH:
            Chapter.objects.bulk_update(batch, ["sort_name", "sort_names"])
            batch = []
    Chapter.objects.bulk_update(batch, ["sort_name", "sort_names"])


class Migration(migrations.Migration):
    dependencies = [("chapters", "0005_chapter_sort_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
