from django.db import migrations, models


class Migration(migrations.Migration):
    """Schema, step 1 of 3: a nullable public id (filled by 0003, made unique by 0004)."""

    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
    ]
