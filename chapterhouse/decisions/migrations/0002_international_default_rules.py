"""Data: the decision rules International starts with (every chapter inherits them
until it decides otherwise), stored on the International chapter if it exists.

On a fresh database International is created later, with its first member; until a
"rules" decision gives it rows of its own, selectors.effective_rule uses the same
values from models.BUILT_IN_RULES. This is a frozen copy of them: later changes
there do not rewrite history.
"""

from django.db import migrations

RULES = {
    "routine": ("majority", {"threshold": 0.5, "quorum": 0}, 3, 2, 3),
    "policy": ("supermajority", {"threshold": 2 / 3, "quorum": 0.1}, 14, 10, 7),
    "budget": ("majority", {"threshold": 0.5, "quorum": 0.1}, 14, 10, 7),
    "roles": ("majority", {"threshold": 0.5, "quorum": 0}, 7, 5, 5),
    "rules": ("supermajority", {"threshold": 2 / 3, "quorum": 0.2}, 21, 14, 14),
}


def create_rules(apps, schema_editor):
    Chapter = apps.get_model("chapters", "Chapter")
    DecisionRule = apps.get_model("decisions", "DecisionRule")
    root = Chapter.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    for category, (method, params, deliberation, amendment, voting) in RULES.items():
        DecisionRule.objects.get_or_create(
            chapter=root,
            category=category,
            defaults={
                "method": method,
                "params": params,
                "alternatives_method": "schulze",
                "deliberation_days": deliberation,
                "amendment_days": amendment,
                "voting_days": voting,
                "secret": False,
                "allow_self_declared_stakes": False,
                "self_declared_cap": 2.0,
            },
        )


def remove_rules(apps, schema_editor):
    DecisionRule = apps.get_model("decisions", "DecisionRule")
    DecisionRule.objects.filter(chapter__depth=1, category__in=list(RULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("chapters", "0003_chapter_slug_allows_unicode"),
    ]

    operations = [migrations.RunPython(create_rules, remove_rules)]
