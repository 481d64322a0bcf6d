"""Re-encrypt every encrypted field under the newest key."""

from django.core.management.base import BaseCommand, CommandError

from compliance import keys
from core import context


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS, in "
        "chunks, resuming an interrupted run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument(
            "--max-chunks",
            type=int,
            default=None,
            help="stop after this many chunks; run again to carry on",
        )

    def handle(self, *args, chunk_size=1000, max_chunks=None, **options) -> None:
        with context.acting(via="command"):
            try:
                result = keys.keys_rotate(chunk_size=chunk_size, max_chunks=max_chunks)
            except keys.UndecryptableValue as error:
                raise CommandError(str(error)) from error
        for label, count in result.rows.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        state = "complete" if result.complete else "stopped early; run again to continue"
        self.stdout.write(f"rotation to key {result.key_fingerprint}: {state}")
