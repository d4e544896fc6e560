"""The migration to messages reads every stored text back into the message it was made
from, in whichever language it was written, and keeps any other text as it was
(issue #15, item 2)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("notifications", "0012_kinds_for_replies_quotes_and_watching")]
AFTER = [("notifications", "0013_notices_as_messages")]


def test_stored_texts_become_messages_read_in_the_readers_language(member):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Notification = executor.loader.project_state(BEFORE).apps.get_model(
        "notifications", "Notification")
    with translation.override("es"):
        spanish = translation.gettext("%(author)s replied to you in “%(title)s”.") % {
            "author": "Ana", "title": "Bicis"}
    texts = ["Ana joined Hackney.", spanish, "A sentence no message makes"]
    old = [Notification.objects.create(recipient_id=member.pk, kind="reply", text=text,
                                       url="/d/") for text in texts]
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        from chapterhouse.notifications.models import Notification as Current

        joined, reply, other = (Current.objects.get(pk=n.pk) for n in old)
        assert (joined.message, joined.params) == (
            "members.joined", {"name": "Ana", "chapter": "Hackney"})
        assert (reply.message, reply.params) == (
            "discussions.reply", {"author": "Ana", "title": "Bicis"})
        assert reply.text == "Ana replied to you in “Bicis”."  # read in English now
        with translation.override("es"):
            assert reply.text == spanish
        assert (other.message, other.params) == ("", {"text": "A sentence no message makes"})
        assert other.text == "A sentence no message makes"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
