
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('chapters', '0007_chapter_members_may_announce'),
        ('members', '0003_sessions_fence_and_fallback_cache'),
    ]

    operations = [
        migrations.CreateModel(
            name='Announcement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('body', models.TextField(max_length=20000, verbose_name='text')),
                ('reaches_subchapters', models.BooleanField(default=False, verbose_name='also shown on every chapter below')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='announcements', to='members.member')),
                ('chapter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='announcements', to='chapters.chapter')),
            ],
            options={
                'indexes': [models.Index(fields=['chapter', '-created_at'], name='announcement_chapter_new')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('title', ''), _negated=True), models.Q(('body', ''), _negated=True)), name='announcement_not_empty')],
            },
        ),
    ]
