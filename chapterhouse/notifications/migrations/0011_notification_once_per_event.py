import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Schema, step 3 of 3: every notice has an event, and a member is told of an event
    once (the fan-outs' inserts skip the rows that exist)."""

    dependencies = [
        ("notifications", "0010_fill_notification_events"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="event",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("event", "recipient"), name="notification_once_per_event"
            ),
        ),
    ]
