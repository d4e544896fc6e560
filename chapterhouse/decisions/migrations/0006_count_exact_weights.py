# Schema: weights become exact decimals (6 places); 0003 readied the values, 0005 the totals.

from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0005_count_weights_to_places'),
    ]

    operations = [
        migrations.AlterField(
            model_name='affectedgroup',
            name='weight',
            field=models.DecimalField(decimal_places=6, max_digits=12, verbose_name='weight'),
        ),
        migrations.AlterField(
            model_name='ballot',
            name='weight',
            field=models.DecimalField(decimal_places=6, max_digits=12),
        ),
        migrations.AlterField(
            model_name='decisionrule',
            name='self_declared_cap',
            field=models.DecimalField(decimal_places=6, default=Decimal('2'), max_digits=12, verbose_name='highest weight a member may declare'),
        ),
        migrations.AlterField(
            model_name='roll',
            name='total_weight',
            field=models.DecimalField(decimal_places=6, max_digits=24),
        ),
        migrations.AlterField(
            model_name='rollentry',
            name='weight',
            field=models.DecimalField(decimal_places=6, max_digits=12),
        ),
        migrations.AlterField(
            model_name='secretballot',
            name='weight',
            field=models.DecimalField(decimal_places=6, max_digits=12),
        ),
        migrations.AlterField(
            model_name='stakedeclaration',
            name='weight',
            field=models.DecimalField(decimal_places=6, max_digits=12, verbose_name='weight'),
        ),
    ]
