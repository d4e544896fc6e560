"""The migration to exact weights keeps every stated weight exactly (issue #13, item 1)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("decisions", "0004_contest_weight_objections")]
AFTER = [("decisions", "0007_count_roll_totals")]


def test_float_weights_become_the_decimals_they_stand_for_and_totals_exact_sums():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Chapter = apps.get_model("chapters", "Chapter")
    Rule = apps.get_model("decisions", "DecisionRule")
    world = Chapter.objects.create(path="zz01", depth=1, numchild=0, name="Test",
                                   url_path="zz-test", level=0)
    rule = Rule.objects.create(chapter=world, category="test", method="majority",
                               deliberation_days=1, amendment_days=1, voting_days=1,
                               self_declared_cap=0.1)
    # A weight typed with more places than can be stored exactly: rounded to 6.
    other = Rule.objects.create(chapter=world, category="test2", method="majority",
                                deliberation_days=1, amendment_days=1, voting_days=1,
                                self_declared_cap=2 / 3)
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        Rule = apps.get_model("decisions", "DecisionRule")
        assert Rule.objects.get(pk=rule.pk).self_declared_cap == Decimal("0.1")
        assert Rule.objects.get(pk=other.pk).self_declared_cap == Decimal("0.666667")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
