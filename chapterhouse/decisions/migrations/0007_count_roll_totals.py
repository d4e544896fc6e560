"""Data, after weights became decimals: each roll's total is the exact sum of its
entries' weights (it was a floating-point sum)."""

from django.db import migrations
from django.db.models import Sum


def exact_totals(apps, schema_editor):
    Roll = apps.get_model("decisions", "Roll")
    RollEntry = apps.get_model("decisions", "RollEntry")
    for roll_id in Roll.objects.values_list("pk", flat=True).iterator():
        weights = RollEntry.objects.filter(roll_id=roll_id).values_list("weight", flat=True)
        if schema_editor.connection.vendor == "postgresql":  # numeric sums are exact
            total = weights.aggregate(total=Sum("weight"))["total"] or 0
        else:
            total = sum(weights.iterator(), 0)
        Roll.objects.filter(pk=roll_id).update(total_weight=total)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0006_count_exact_weights"),
    ]

    operations = [migrations.RunPython(exact_totals, migrations.RunPython.noop)]
