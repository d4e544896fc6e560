"""send_email is now delivery (0015, 0016)."""
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0018_fill_email_delivery'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='emailpreference',
            name='send_email',
        ),
    ]
