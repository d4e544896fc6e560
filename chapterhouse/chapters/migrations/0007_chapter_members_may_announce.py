from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("chapters", "0006_fill_chapter_sort_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="chapter",
            name="members_may_announce",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
