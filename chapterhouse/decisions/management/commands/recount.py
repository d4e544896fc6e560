"""Recount a closed vote from the database with the same voting code and compare."""

from __future__ import annotations

import json
import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import Decision, Proposal


class Command(BaseCommand):
    help = (
        "Recount the ballots of a closed proposal (by its public id) and compare the "
        "result with the published decision. Exits 1 on a mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("public_id", help="the proposal's public id (a UUID)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            public_id = uuid.UUID(str(options["public_id"]))
        except ValueError:
            raise CommandError(f"Not a proposal id: {options['public_id']}") from None
        proposal = Proposal.objects.filter(public_id=public_id).first()
        if proposal is None:
            raise CommandError(f"No proposal {public_id}.")
        try:
            recount = selectors.recount(proposal)
        except Decision.DoesNotExist:
            raise CommandError(f"Proposal {public_id} has no decision yet.") from None
        result = recount.result
        self.stdout.write(
            f"{proposal.title}: {result['outcome']}"
            + (f" ({', '.join(result['winners'])})" if result["winners"] else "")
            + f"; turnout {result['turnout_weight']} of {result['eligible_weight']}"
        )
        if recount.matches:
            self.stdout.write(self.style.SUCCESS("The recount equals the published result."))
            return
        self.stderr.write(json.dumps(recount.result, indent=2, sort_keys=True))
        raise CommandError(
            "The recount DIFFERS from the published result in: "
            + ", ".join(recount.differences),
            returncode=1,
        )
