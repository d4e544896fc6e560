import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("chapters", "0001_initial"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(max_length=60, verbose_name="action")),
                ("target_type", models.CharField(max_length=100, verbose_name="target type")),
                ("target_id", models.CharField(max_length=64, verbose_name="target id")),
                ("data", models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name="details")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="when")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="members.member", verbose_name="actor")),
                ("chapter", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="chapters.chapter", verbose_name="chapter")),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["chapter", "-created_at"], name="auditentry_chapter_recent"),
                    models.Index(fields=["target_type", "target_id"], name="auditentry_target"),
                    models.Index(fields=["action", "-created_at"], name="auditentry_action_recent"),
                ],
            },
        ),
    ]
