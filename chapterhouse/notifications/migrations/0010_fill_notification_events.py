import uuid

from django.db import migrations


def fill_events(apps, schema_editor):
    """Each existing notice gets an event of its own, the UUID whose number is its id
    (00000000-0000-0000-0000-00000000002a for notice 42): distinct from one another, never
    one a new event (a random or name-based UUID, whose version digit is not 0) can
    take, and so valid under the unique (event, recipient) of 0009 even where an old
    run stored a notice twice. One UPDATE, however many notices."""
    Notification = apps.get_model("notifications", "Notification")
    table = schema_editor.quote_name(Notification._meta.db_table)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"UPDATE {table} SET event = lpad(to_hex(id), 32, '0')::uuid WHERE event IS NULL"
        )
    elif vendor == "sqlite":
        # Django keeps a UUID on SQLite as 32 hex digits.
        schema_editor.execute(
            f"UPDATE {table} SET event = printf('%032x', id) WHERE event IS NULL"
        )
    else:
        for notification in Notification.objects.filter(event__isnull=True).only("pk").iterator():
            notification.event = uuid.UUID(int=notification.pk)
            notification.save(update_fields=["event"])


class Migration(migrations.Migration):
    """Data: give every existing notice an event key of its own."""

    dependencies = [
        ("notifications", "0009_notification_event"),
    ]

    operations = [
        migrations.RunPython(fill_events, migrations.RunPython.noop),
    ]
