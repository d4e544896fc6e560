import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Schema, step 3 of 3: the public id is required and unique."""

    dependencies = [
        ("notifications", "0003_fill_notification_public_ids"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
