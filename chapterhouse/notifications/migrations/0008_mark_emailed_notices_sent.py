"""Notices emailed before delivery had a state are marked sent (data only)."""

from django.db import migrations


def mark_sent(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(emailed_at__isnull=False).update(email_status="sent")


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_email_delivery_state")]

    operations = [migrations.RunPython(mark_sent, migrations.RunPython.noop, elidable=True)]
