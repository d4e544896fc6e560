"""Notices stored as a message and its parameters, rendered in the reader's language
when read (notifications/messages.py), instead of a text rendered once in the
recipient's language of the time.

Each stored text is read back into the message it was made from, in whichever site
language it was written (messages.parse): it then shows in the reader's language, with
the names, titles and times it held as written. A text that matches no message keeps
showing as it was (the message "" with the parameter "text").
"""

from django.db import migrations, models

BATCH = 2_000


def texts_to_messages(apps, schema_editor):
    from chapterhouse.notifications.messages import parse

    Notification = apps.get_model("notifications", "Notification")
    last = 0
    while True:
        batch = list(Notification.objects.filter(pk__gt=last).order_by("pk")
                     .only("pk", "text")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        for notice in batch:
            found = parse(notice.text)
            if found is None:
                notice.message, notice.params = "", {"text": notice.text}
            else:
                notice.message, notice.params = found
        Notification.objects.bulk_update(batch, ["message", "params"])


def messages_to_texts(apps, schema_editor):
    from django.utils import translation

    from chapterhouse.notifications.messages import render

    Notification = apps.get_model("notifications", "Notification")
    with translation.override("en"):
        for notice in Notification.objects.iterator(chunk_size=BATCH):
            notice.text = render(notice.message, notice.params)[:500]
            notice.save(update_fields=["text"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0012_kinds_for_replies_quotes_and_watching"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(blank=True, default="", max_length=80),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(blank=True, default="", max_length=500),
        ),
        migrations.RunPython(texts_to_messages, messages_to_texts),
        migrations.RemoveField(model_name="notification", name="text"),
    ]
