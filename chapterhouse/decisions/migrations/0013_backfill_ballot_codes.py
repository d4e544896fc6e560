"""Give the ballots of every vote not yet closed their codes (Ballot.codes,
voting.codes), in batches, so the close can read them straight into numpy.

Other votes (closed ones above all) keep their JSON alone: nothing reads their codes
(the ballot file and the recount are made from the JSON). A ballot whose JSON does not
code (it names an option the vote lacks) keeps null codes, and its vote is counted from
the JSON as before. On PostgreSQL each batch is one UPDATE from two arrays.
"""

from django.db import migrations

from chapterhouse import voting

BATCH = 5_000


def _codes(snapshot, ballot):
    try:
        return voting.ballot_codes(snapshot["method"], snapshot.get("options", []), ballot)
    except (voting.InvalidBallot, voting.InvalidParams, KeyError, TypeError):
        return None


def backfill(apps, schema_editor):
    Proposal = apps.get_model("decisions", "Proposal")
    votes = (Proposal.objects.filter(status="voting")
             .filter(rule_snapshot__method__in=sorted(voting.CODED_METHODS))
             .values_list("pk", "rule_snapshot"))
    for name in ("Ballot", "SecretBallot"):
        model = apps.get_model("decisions", name)
        for proposal_id, snapshot in votes:
            last = None
            while True:
                rows = model.objects.filter(proposal_id=proposal_id, codes__isnull=True)
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = list(rows.order_by("pk").only("pk", "ballot")[:BATCH])
                if not batch:
                    break
                last = batch[-1].pk
                for row in batch:
                    row.codes = _codes(snapshot, row.ballot)
                coded = [r for r in batch if r.codes is not None]
                if schema_editor.connection.vendor == "postgresql":
                    _update(schema_editor.connection, model, coded)
                else:
                    model.objects.bulk_update(coded, ["codes"], batch_size=1_000)


def _update(connection, model, rows):
    """One UPDATE of the batch from two arrays (PostgreSQL): no CASE of 5,000 branches."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    kind = "uuid" if model.__name__ == "SecretBallot" else "bigint"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS b SET codes = v.codes "  # noqa: S608 - the model's table
            f"FROM unnest(%s::{kind}[], %s::bytea[]) AS v(id, codes) WHERE b.id = v.id",
            [[r.pk for r in rows], [r.codes for r in rows]],
        )


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0012_ballot_codes"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
