"""Back up the database, the uploaded files and the private files into one archive
with a manifest of checksums, safely while the site runs (see chapterhouse/ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.ops.archive import BackupError
from chapterhouse.ops.backup import take_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: its online backup API; PostgreSQL: pg_dump) and "
        "every file under MEDIA_ROOT and PRIVATE_MEDIA_ROOT (private messages' images) into "
        "chapterhouse-<UTC time>.tar in --dir (BACKUP_DIR), with a manifest of checksums. "
        "Safe while the site is running. Exits 1 on failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", metavar="DIRECTORY",
                            help="where to write the archive (default: BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=0, metavar="N",
                            help="then delete all but the newest N archives there (0: keep all)")

    def handle(self, *args: object, **options: Any) -> None:
        if options["keep"] < 0:
            raise CommandError("--keep takes a number of archives, 0 or more.", returncode=2)
        directory = Path(options["dir"] or settings.BACKUP_DIR)
        try:
            backup = take_backup(directory=directory, keep=options["keep"])
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}", returncode=1) from error
        self.stdout.write(self.style.SUCCESS(
            f"Backed up to {backup.path} ({backup.size:,} bytes: database "
            f"{backup.database_size:,} bytes, {backup.media_files} uploaded files, "
            f"{backup.private_files} private files) "
            f"in {backup.seconds:.1f} s."))
