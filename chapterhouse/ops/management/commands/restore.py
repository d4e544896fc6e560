"""Restore a backup archive made by `manage.py backup` (see chapterhouse/ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chapterhouse.ops.archive import BackupError, verify_archive
from chapterhouse.ops.backup import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into the configured database "
        "(DATABASE_URL), MEDIA_ROOT and PRIVATE_MEDIA_ROOT. Verifies every checksum first and "
        "changes nothing if one fails. Refuses a database that has tables, or files already "
        "in MEDIA_ROOT or PRIVATE_MEDIA_ROOT, unless --force. Stop the site first; afterwards "
        "run `manage.py migrate` and `manage.py check_data`. Exits 1 on refusal or failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the chapterhouse-<time>.tar file")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that has tables and write over uploads and "
                                 "private files")
        parser.add_argument("--verify-only", action="store_true",
                            help="only check the archive against its manifest; change nothing")

    def handle(self, *args: object, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            if options["verify_only"]:
                manifest = verify_archive(path)
                self.stdout.write(self.style.SUCCESS(
                    f"{path}: {len(manifest['files'])} files match the manifest "
                    f"({manifest['engine']} backup of {manifest['created_at']})."))
                return
            restored = restore_backup(path=path, force=options["force"])
        except (BackupError, OSError) as error:
            raise CommandError(f"Not restored: {error}", returncode=1) from error
        self.stdout.write(self.style.SUCCESS(
            f"Restored the {restored.engine} backup of {restored.created_at} and "
            f"{restored.media_files} uploaded files and {restored.private_files} private "
            "files. Next: manage.py migrate, then manage.py check_data."))
