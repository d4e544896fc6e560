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


# Issue #13, item 20: the four kinds of tampering the review found, and the saved copy.


def saved_copy(client, tmp_path):
    response = client.get("/decisions/chain.json")
    assert response.status_code == 200
    path = tmp_path / "chain.json"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def verify_against(source, *extra):
    with pytest.raises(CommandError) as error:
        call_command("verify_decisions", "--against", str(source), *extra)
    assert error.value.returncode == 1
    return selectors.chain_problems()


def test_an_intact_chain_verifies_against_its_saved_copy(chain, client, tmp_path, capsys):
    path = saved_copy(client, tmp_path)
    call_command("verify_decisions", "--against", str(path))
    assert "4 decision records, chain intact, equal to" in capsys.readouterr().out


def test_a_record_rewritten_with_its_audit_rows_recomputed_is_detected_against_a_saved_copy(
    chain, client, tmp_path, capsys
):
    from chapterhouse.audit.models import AuditEntry

    path = saved_copy(client, tmp_path)
    # The whole history from record 3 on, rewritten consistently, audit log included.
    previous = Decision.objects.get(sequence=2).record_hash
    for decision in Decision.objects.select_related("proposal").filter(sequence__gte=3
                                                                        ).order_by("sequence"):
        decision.outcome = "rejected"
        decision.previous_hash = previous
        decision.record_hash = previous = decision.compute_hash()
        decision.save()
        entry = AuditEntry.objects.get(action="decisions.close_voting",
                                       data__sequence=decision.sequence)
        AuditEntry.objects.filter(pk=entry.pk).update(
            data={**entry.data, "record_hash": decision.record_hash})
    assert selectors.chain_problems() == []  # the database alone cannot tell
    verify_against(path)
    err = capsys.readouterr().err
    assert "Record 3 differs from the saved copy: the history was rewritten." in err
    assert "Record 4 differs from the saved copy: the history was rewritten." in err


def test_the_last_record_deleted_with_its_audit_entry_is_detected_against_a_saved_copy(
    chain, client, tmp_path, capsys
):
    from chapterhouse.audit.models import AuditEntry

    path = saved_copy(client, tmp_path)
    AuditEntry.objects.filter(action="decisions.close_voting", data__sequence=4).delete()
    Decision.objects.filter(sequence=4).delete()
    assert selectors.chain_problems() == []
    verify_against(path)
    assert ("Record 4 of the saved copy is missing: the history was truncated."
            in capsys.readouterr().err)


def test_the_decision_logs_export_also_serves_as_a_saved_copy(chain, client, tmp_path, capsys):
    response = client.get("/decisions/export.json")
    path = tmp_path / "export.json"
    path.write_bytes(b"".join(response.streaming_content))
    Decision.objects.filter(sequence=4).delete()
    verify_against(path)
    assert "Record 4 of the saved copy is missing" in capsys.readouterr().err


def test_edited_dissent_is_detected_and_a_later_legitimate_dissent_still_verifies(member):
    from chapterhouse.decisions import services
    from chapterhouse.decisions.models import Dissent
    from chapterhouse.members.tests.factories import make_member

    other = make_member("Dee Dissenter", city="London", neighbourhood="Hackney")
    third = make_member("Tom Third", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, third, {"choice": "yes"})
    vote(proposal, other, {"choice": "no"})
    decision = close(proposal)
    services.add_dissent(decision=decision, member=other, text="Too many trees.")
    services.add_dissent(decision=decision, member=other, text="Far too many trees.")
    call_command("verify_decisions")  # dissent written (and replaced) after the record
    Dissent.objects.filter(decision=decision).update(text="I agree after all.")
    assert verify() == [
        "A dissent on record 1 differs from dissent 2 in the chain: its text was edited."
    ]


def test_edited_ballots_are_detected(member):
    from chapterhouse.decisions.models import Ballot
    from chapterhouse.members.tests.factories import make_member

    other = make_member("Bo Ballot", city="London", neighbourhood="Hackney")
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    vote(proposal, other, {"choice": "no"})
    close(proposal)
    Ballot.objects.filter(proposal=proposal, member=other).update(ballot={"choice": "yes"})
    assert verify() == [
        "The ballots of record 1 were altered: they do not match the hash in the record."
    ]


def test_the_record_page_shows_the_chain_head(chain, client):
    head = selectors.chain_head()
    from django.urls import reverse

    page = client.get(reverse("decisions:record", kwargs={
        "public_id": chain[1].proposal.public_id})).content.decode()
    assert head["record_hash"] == chain[-1].record_hash
    assert head["record_hash"] in page
    assert "/decisions/chain.json" in page


def test_a_copy_is_read_only_from_a_trusted_http_host(chain, tmp_path):
    for source, extra in [("ftp://example.org/chain.json", ()),
                          ("file:///etc/passwd", ()),
                          ("http://127.0.0.1:9/chain.json", ()),
                          ("http://127.0.0.1:9/chain.json", ("--trust-host", "example.org"))]:
        with pytest.raises(CommandError) as error:
            call_command("verify_decisions", "--against", source, *extra)
        assert error.value.returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a copy"}')
    with pytest.raises(CommandError) as error:
        call_command("verify_decisions", "--against", str(bad))
    assert error.value.returncode == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_copy_served_by_a_trusted_host_is_read_over_http(live_server, member, capsys):
    proposal = in_voting(member)
    vote(proposal, member, {"choice": "yes"})
    close(proposal)
    host = live_server.url.split("//")[1].split(":")[0]
    call_command("verify_decisions", "--against", live_server.url + "/decisions/chain.json",
                 "--trust-host", host)
    assert "1 decision records, chain intact, equal to" in capsys.readouterr().out
