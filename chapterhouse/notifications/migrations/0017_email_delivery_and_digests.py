"""Email per notice, as a daily or weekly digest, or not at all (EmailPreference.delivery,
filled from send_email by 0016); digests and what went into them."""
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_sessions_fence_and_fallback_cache'),
        ('notifications', '0016_kind_chat_mention'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailpreference',
            name='delivery',
            field=models.CharField(choices=[('off', 'No email'), ('each', 'An email for each notice'), ('daily', 'A daily digest'), ('weekly', 'A weekly digest')], default='each', max_length=10),
        ),
        migrations.AlterField(
            model_name='notification',
            name='email_status',
            field=models.CharField(blank=True, choices=[('', 'not attempted'), ('sending', 'sending'), ('retrying', 'waiting to retry'), ('sent', 'sent'), ('failed', 'not delivered'), ('digested', 'in a digest')], default='', max_length=10),
        ),
        migrations.AlterField(
            model_name='outgoingemail',
            name='email_status',
            field=models.CharField(blank=True, choices=[('', 'not attempted'), ('sending', 'sending'), ('retrying', 'waiting to retry'), ('sent', 'sent'), ('failed', 'not delivered'), ('digested', 'in a digest')], default='', max_length=10),
        ),
        migrations.CreateModel(
            name='Digest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_status', models.CharField(blank=True, choices=[('', 'not attempted'), ('sending', 'sending'), ('retrying', 'waiting to retry'), ('sent', 'sent'), ('failed', 'not delivered'), ('digested', 'in a digest')], default='', max_length=10)),
                ('email_attempts', models.PositiveSmallIntegerField(default=0)),
                ('email_due_at', models.DateTimeField(blank=True, null=True)),
                ('email_error', models.CharField(blank=True, default='', max_length=300)),
                ('emailed_at', models.DateTimeField(blank=True, null=True)),
                ('frequency', models.CharField(choices=[('daily', 'A daily digest'), ('weekly', 'A weekly digest')], max_length=10)),
                ('period', models.DateField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digests', to='members.member')),
                ('notices', models.ManyToManyField(related_name='digests', to='notifications.notification')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('email_status__in', ['sending', 'retrying'])), fields=['email_due_at'], name='digest_email_due')],
                'constraints': [models.UniqueConstraint(fields=('member', 'frequency', 'period'), name='digest_once_per_period')],
            },
        ),
    ]
