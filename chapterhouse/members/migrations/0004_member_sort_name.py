"""Member lists ordered by the folded display name (issue #15, item 5): "Émile" among
the E's, not after "Zoë", on SQLite and PostgreSQL alike. Existing members get their
key in batches."""

from django.db import migrations, models

BATCH = 5_000


def fill(apps, schema_editor):
    from chapterhouse.lib.collation import fold

    Member = apps.get_model("members", "Member")
    last = 0
    while True:
        batch = list(Member.objects.filter(pk__gt=last).order_by("pk")
                     .only("pk", "display_name")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        for member in batch:
            member.sort_name = fold(member.display_name)[:80]
        Member.objects.bulk_update(batch, ["sort_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('chapters', '0006_fill_chapter_sort_names'),
        ('members', '0003_sessions_fence_and_fallback_cache'),
        ('places', '0003_place_sort_names'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='member',
            name='member_home_name',
        ),
        migrations.AddField(
            model_name='member',
            name='sort_name',
            field=models.CharField(blank=True, db_default='', default='', max_length=80),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='member',
            index=models.Index(fields=['home_chapter', 'sort_name'], name='member_home_sort_name'),
        ),
    ]
