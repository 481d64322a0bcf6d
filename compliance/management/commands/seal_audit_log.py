"""Seal queued audit events now, and optionally write a checkpoint."""

from django.core.management.base import BaseCommand

from compliance import sealing


class Command(BaseCommand):
    help = "Link every committed, unsealed audit event into the hash chain."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk-size", type=int, default=1000)
        parser.add_argument(
            "--checkpoint",
            nargs="?",
            const="",
            metavar="FILE",
            help="then append the head to FILE (default: AUDIT_CHECKPOINT_FILE)",
        )

    def handle(self, *args, chunk_size=1000, checkpoint=None, **options) -> None:
        sealed = sealing.audit_seal_pending(chunk_size=chunk_size)
        sequence, head = sealing.chain_head()
        self.stdout.write(f"sealed {sealed} events; head {sequence} {head}")
        if checkpoint is not None:
            point = sealing.audit_checkpoint_write(path=checkpoint or None)
            self.stdout.write(f"checkpoint written: {point.line().strip()}")
