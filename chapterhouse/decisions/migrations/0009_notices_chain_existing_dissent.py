"""Chain the dissent written before the chain of dissent existed, in the order it was
written, so verify_decisions finds every shown statement in the chain."""

import hashlib
import json

from django.db import migrations


def _hash(entry):
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_existing(apps, schema_editor):
    Dissent = apps.get_model("decisions", "Dissent")
    DissentEntry = apps.get_model("decisions", "DissentEntry")
    if DissentEntry.objects.exists():
        return
    previous = ""
    rows = Dissent.objects.select_related("decision", "member").order_by("created_at", "id")
    for sequence, dissent in enumerate(rows.iterator(chunk_size=1000), start=1):
        entry = {
            "sequence": sequence,
            "record_hash": dissent.decision.record_hash,
            "member": str(dissent.member.public_id),
            "text": dissent.text,
            "created_at": dissent.created_at.isoformat(),
            "previous_hash": previous,
        }
        previous = _hash(entry)
        DissentEntry.objects.create(
            sequence=sequence, decision_id=dissent.decision_id,
            record_hash=entry["record_hash"], member=entry["member"], text=dissent.text,
            created_at=dissent.created_at, previous_hash=entry["previous_hash"],
            entry_hash=previous,
        )


class Migration(migrations.Migration):
    dependencies = [("decisions", "0008_notices_record_chain"), ("members", "0001_initial")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
