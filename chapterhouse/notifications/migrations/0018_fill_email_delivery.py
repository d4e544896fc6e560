"""Each stored email choice becomes a delivery: on is "each", off is "off"."""

from django.db import migrations


def fill(apps, schema_editor):
    EmailPreference = apps.get_model("notifications", "EmailPreference")
    EmailPreference.objects.filter(send_email=True).update(delivery="each")
    EmailPreference.objects.filter(send_email=False).update(delivery="off")


def unfill(apps, schema_editor):
    EmailPreference = apps.get_model("notifications", "EmailPreference")
    EmailPreference.objects.filter(delivery="off").update(send_email=False)
    EmailPreference.objects.exclude(delivery="off").update(send_email=True)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0017_email_delivery_and_digests"),
    ]

    operations = [
        migrations.RunPython(fill, unfill),
    ]
