"""Walk the hash chains of decision records and dissent and report any tampering,
also against a copy saved outside the database (--against)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.decisions import selectors
from chapterhouse.decisions.models import Decision

# A saved copy bigger than this is refused rather than read into memory.
MAX_COPY_BYTES = 200 * 1024 * 1024
FETCH_TIMEOUT = 30


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a host the member named (and over http(s))."""

    def __init__(self, hosts: set[str]) -> None:
        self.hosts = hosts

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        _check_url(newurl, self.hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_url(url: str, hosts: set[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise CommandError(f"Only http and https addresses can be read, not {url!r}.",
                           returncode=2)
    host = (parts.hostname or "").lower()
    if host not in hosts:
        raise CommandError(
            f"{host or url!r} is not a host you trust: name it with --trust-host {host}.",
            returncode=2)


def _read(source: str, hosts: set[str]) -> bytes:
    if "://" not in source:
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"No such file: {source}", returncode=2)
        if path.stat().st_size > MAX_COPY_BYTES:
            raise CommandError(f"{source} is too big to be a saved copy.", returncode=2)
        return path.read_bytes()
    _check_url(source, hosts)
    opener = urllib.request.build_opener(_SameHostRedirects(hosts))
    try:
        with opener.open(source, timeout=FETCH_TIMEOUT) as response:
            body: bytes = response.read(MAX_COPY_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise CommandError(f"Could not read {source}: {error}", returncode=2) from error
    if len(body) > MAX_COPY_BYTES:
        raise CommandError(f"{source} is too big to be a saved copy.", returncode=2)
    return body


class Command(BaseCommand):
    help = (
        "Verify the hash chains of decision records and dissent: reports altered, removed "
        "or reordered records, edited dissent and edited ballots; with --against, a "
        "history rewritten or truncated since a copy was saved. Exits 1 on tampering, "
        "2 when the saved copy cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--against", metavar="FILE_OR_URL",
            help="a saved /decisions/chain.json (or the decision log's export.json): a "
                 "file, or an http(s) address on a host named with --trust-host")
        parser.add_argument(
            "--trust-host", action="append", default=[], metavar="HOST",
            help="a host --against may read from (repeatable); no other is contacted")

    def handle(self, *args: object, **options: Any) -> None:
        problems = selectors.chain_problems()
        source = options.get("against")
        if source:
            hosts = {str(h).lower() for h in options.get("trust_host") or []}
            try:
                saved = selectors.parse_saved_copy(json.loads(_read(source, hosts)))
            except (ValueError, RecursionError) as error:
                raise CommandError(f"{source} is not a saved copy of the chain: {error}",
                                   returncode=2) from error
            problems += selectors.copy_problems(saved)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"The decision record chain is broken ({len(problems)} problem(s)).", returncode=1
            )
        against = f", equal to {source}" if source else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{Decision.objects.count()} decision records, chain intact{against}.")
        )
