import importlib

import pytest
from django.db import IntegrityError

from chapterhouse import voting
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.services import get_international
from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import BUILT_IN_RULES, DecisionRule, Method
from chapterhouse.decisions.tests.factories import chapter, rule_in, set_rule

pytestmark = pytest.mark.django_db

HACKNEY = "gb/eng/london/hackney"


def test_the_methods_are_the_voting_packages():
    assert set(Method.values) == set(voting.METHODS)


def run_default_rules_migration():
    from django.apps import apps

    migration = importlib.import_module(
        "chapterhouse.decisions.migrations.0002_international_default_rules")
    migration.create_rules(apps, None)


def test_the_migration_gives_an_existing_international_the_default_rules(member):
    run_default_rules_migration()
    run_default_rules_migration()  # idempotent
    rules = {r.category: r for r in DecisionRule.objects.filter(chapter=get_international())}
    assert set(rules) == {"routine", "policy", "budget", "roles", "rules"}
    assert rules["routine"].method == "majority"
    assert rules["routine"].params == {"threshold": 0.5, "quorum": 0}
    assert rules["policy"].method == "supermajority"
    assert rules["policy"].params["threshold"] == pytest.approx(2 / 3)
    assert rules["policy"].params["quorum"] == 0.1
    assert rules["budget"].params == {"threshold": 0.5, "quorum": 0.1}
    assert rules["roles"].method == "majority"
    assert rules["rules"].params["quorum"] == 0.2
    for rule in rules.values():
        assert rule.amendment_days <= rule.deliberation_days
        assert rule.voting_days >= 1


def test_the_migration_creates_nothing_before_international_exists(db):
    run_default_rules_migration()
    assert not DecisionRule.objects.exists()
    assert not Chapter.objects.exists()


def test_the_migration_and_the_built_in_defaults_agree(member):
    run_default_rules_migration()
    for category, values in BUILT_IN_RULES.items():
        stored = DecisionRule.objects.get(chapter=get_international(), category=category)
        DecisionRule.objects.filter(pk=stored.pk).delete()
        built_in = rule_in(chapter(HACKNEY), category)
        assert built_in.pk is None
        for rule in (stored, built_in):
            assert rule.method == values["method"]
            assert rule.params == pytest.approx(values["params"])
            assert rule.deliberation_days == values["deliberation_days"]
            assert rule.amendment_days == values["amendment_days"]
            assert rule.voting_days == values["voting_days"]


def test_a_chapter_inherits_its_nearest_ancestors_rule(member):
    london = chapter("gb/eng/london")
    set_rule(chapter("gb"), "routine", method="consent", params={})
    set_rule(london, "routine", method="plurality", params={})
    assert rule_in(chapter(HACKNEY), "routine").method == "plurality"
    assert rule_in(london, "routine").method == "plurality"
    assert rule_in(chapter("gb/eng"), "routine").method == "consent"
    assert rule_in(get_international(), "routine").method == "majority"


def test_the_effective_rule_is_one_query(member, django_assert_num_queries):
    hackney = chapter(HACKNEY)
    set_rule(chapter("gb"), "policy", method="consensus", params={})
    with django_assert_num_queries(1):
        rule = rule_in(hackney, "policy")
    assert rule.method == "consensus"
    assert rule.chapter.url_path == "gb"


def test_a_chapter_may_add_its_own_category(member):
    hackney = chapter(HACKNEY)
    DecisionRule.objects.create(
        chapter=chapter("gb/eng/london"), category="garden", method="approval", params={},
        deliberation_days=1, amendment_days=1, voting_days=2,
    )
    assert "garden" in selectors.effective_rules(hackney)
    assert "garden" not in selectors.effective_rules(chapter("gb"))
    assert selectors.effective_rule(chapter("gb"), "garden") is None


def test_effective_rules_list_every_category_in_one_query(member, django_assert_num_queries):
    hackney = chapter(HACKNEY)
    with django_assert_num_queries(1):
        rules = selectors.effective_rules(hackney)
    assert list(rules) == sorted(["budget", "policy", "roles", "routine", "rules"])


def test_a_chapter_has_one_rule_per_category(member):
    international = get_international()
    set_rule(international, "routine")
    with pytest.raises(IntegrityError):
        DecisionRule.objects.create(
            chapter=international, category="routine", method="majority",
            deliberation_days=1, amendment_days=1, voting_days=1,
        )


@pytest.mark.parametrize("fields", [
    {"method": "dictator"},
    {"amendment_days": 5, "deliberation_days": 2},
    {"voting_days": 0},
    {"self_declared_cap": 11},
])
def test_the_database_refuses_an_impossible_rule(member, fields):
    values = {"method": "majority", "deliberation_days": 3, "amendment_days": 1,
              "voting_days": 2, **fields}
    with pytest.raises(IntegrityError):
        DecisionRule.objects.create(chapter=chapter(HACKNEY), category="other", **values)


def test_without_any_rule_rows_the_built_in_rules_apply(member):
    rule = rule_in(chapter(HACKNEY), "policy")
    assert rule.pk is None and rule.chapter_id is None
    assert rule.method == "supermajority"
    assert rule.snapshot()["chapter"] == ""  # International's
    assert selectors.effective_rule(chapter(HACKNEY), "garden") is None
