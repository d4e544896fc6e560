"""Data, before weights become decimals: each float weight is set to the decimal with at
most 6 places that it stands for (Python's shortest repr, 1.5 stays 1.5), so that the
schema change (0004) converts it exactly on every database.

A weight typed with more than 6 places (the old forms took any float) cannot be exact
in the new column: it is rounded half-even to 6 places here, and the number of such
rows is printed. Published decision records are not touched: they keep their old
floats, and their ballot files (format chapterhouse-ballots/1) still recount.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from django.db import migrations

PLACES = Decimal("0.000001")
FIELDS = (
    ("AffectedGroup", "weight"),
    ("StakeDeclaration", "weight"),
    ("DecisionRule", "self_declared_cap"),
    ("RollEntry", "weight"),
    ("Ballot", "weight"),
    ("SecretBallot", "weight"),
)


def to_places(apps, schema_editor):
    rounded = 0
    for model_name, field in FIELDS:
        model = apps.get_model("decisions", model_name)
        values = model.objects.values_list(field, flat=True).distinct()
        for value in list(values):
            if value is None:
                continue
            stated = Decimal(repr(float(value)))
            exact = stated.quantize(PLACES, rounding=ROUND_HALF_EVEN)
            if exact != stated:
                rounded += model.objects.filter(**{field: value}).count()
            if float(exact) != value:
                model.objects.filter(**{field: value}).update(**{field: float(exact)})
    if rounded:
        print(f"\n  decisions: {rounded} weight(s) had more than 6 decimal places and were "
              "rounded to 6.")


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0004_contest_weight_objections"),
    ]

    operations = [migrations.RunPython(to_places, migrations.RunPython.noop)]
