"""Verify the audit log's hash chain end to end."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance import sealing


class Command(BaseCommand):
    help = (
        "Check every link of the audit log's hash chain: order, gaps, each hash against the "
        "event as stored, deleted or unsealed events, and optionally the last checkpoint."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="compare the chain with the last 'sequence hash time' line of FILE",
        )
        parser.add_argument(
            "--archives",
            action="store_true",
            help="also re-hash every archived segment file",
        )

    def handle(self, *args, checkpoint=None, archives=False, **options) -> None:
        point = None
        if checkpoint:
            path = Path(checkpoint)
            if not path.is_file():
                raise CommandError(f"checkpoint file {path} does not exist")
            try:
                point = sealing.read_checkpoint(path)
            except ValueError as error:
                raise CommandError(f"checkpoint file {path}: {error}") from error
        started = time.monotonic()
        result = sealing.verify_chain(checkpoint=point, archive_files=archives)
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(f"FAILED: {result.problem}", returncode=1)
        self.stdout.write(f"OK: {result.verified} events verified, head {result.head_hash}")
        details = [f"head sequence {result.head_sequence}"]
        if result.archived:
            details.append(f"after {result.archived} archived")
        if point:
            details.append(f"checkpoint {point.sequence} matches")
        if result.pending:
            details.append(f"{result.pending} waiting to be sealed")
        details.append(f"{elapsed:.1f}s")
        self.stdout.write("   " + ", ".join(details))
        for note in result.notes:
            self.stdout.write(f"   note: {note}")
