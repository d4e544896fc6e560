from django.db import migrations, models


class Migration(migrations.Migration):
    """Schema, step 1 of 3: a nullable event key (filled by 0008, required and unique per
    recipient from 0009)."""

    dependencies = [
        ("notifications", "0008_mark_emailed_notices_sent"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="event",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
