import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import Decision
from chapterhouse.decisions.tests.factories import close, in_voting, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(member):
    decisions = []
    for title in ("One", "Two", "Three", "Four"):
        proposal = in_voting(member, title=title)
        vote(proposal, member, {"choice": "yes"})
        decisions.append(close(proposal))
    return decisions


def verify():
    with pytest.raises(CommandError) as error:
        call_command("verify_decisions")
    assert error.value.returncode == 1
    return selectors.chain_problems()


def test_an_intact_chain_verifies(chain, capsys):
    call_command("verify_decisions")
    assert "4 decision records, chain intact" in capsys.readouterr().out
    assert selectors.chain_problems() == []


def test_an_empty_chain_verifies(db, capsys):
    call_command("verify_decisions")
    assert "0 decision records" in capsys.readouterr().out


@pytest.mark.parametrize("field, value", [
    ("title", "Something else"),
    ("outcome", "rejected"),
    ("text", "A quieter text"),
    ("result", {"outcome": "rejected"}),
    ("roll", {"hash": "0" * 64}),
])
def test_an_altered_record_is_detected(chain, field, value):
    Decision.objects.filter(sequence=2).update(**{field: value})
    assert verify() == ["Record 2 was altered: its content does not match its hash."]


def test_a_removed_record_is_detected(chain):
    Decision.objects.filter(sequence=2).delete()
    problems = verify()
    assert "Record 2 is missing: removed from the chain." in problems


def test_a_removed_last_record_is_detected_against_the_audit_log(chain):
    Decision.objects.filter(sequence=4).delete()
    assert verify() == ["Record 4 is in the audit log but not in the chain: removed."]


def test_reordered_records_are_detected(chain):
    two, three = chain[1], chain[2]
    Decision.objects.filter(pk=two.pk).update(sequence=99)
    Decision.objects.filter(pk=three.pk).update(sequence=2)
    Decision.objects.filter(pk=two.pk).update(sequence=3)
    problems = verify()
    assert any("reordered" in p for p in problems)


def test_a_chain_rewritten_with_recomputed_hashes_is_detected(chain):
    decision = Decision.objects.select_related("proposal").get(sequence=4)
    decision.outcome = "rejected"
    decision.record_hash = decision.compute_hash()
    decision.save()
    assert verify() == [
        "Record 4 differs from the hash logged when it was decided: the chain was rewritten."
    ]
