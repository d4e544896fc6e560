import uuid

from django.db import migrations


def fill_public_ids(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    batch = []
    for notification in Notification.objects.filter(public_id__isnull=True).only("pk").iterator():
        notification.public_id = uuid.uuid4()
        batch.append(notification)
        if len(batch) >= 1000:
            Notification.objects.bulk_update(batch, ["public_id"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    """Data: give every existing notice its own public id."""

    dependencies = [
        ("notifications", "0002_notification_public_id"),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
