"""``manage.py seed_demo``: demo staff and an invented, partly messy book for the quick start
and for benchmarks. Refuses to run under production settings."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Contact
from core import roles
from crm.demo.services import demo_book_seed, demo_staff_create
from crm.demo.staff import DEMO_PASSWORD, STAFF

DEFAULT_SEED = 2026
DEMO_URL = "http://127.0.0.1:8000"

COUNT_LABELS = {
    "contacts": gettext_lazy("contacts"),
    "contact_points": gettext_lazy("contact points"),
    "invalid_points": gettext_lazy("  of which invalid (email or phone as typed)"),
    "employments": gettext_lazy("employments"),
    "left_employer": gettext_lazy("contacts who left their employer"),
    "relationships": gettext_lazy("relationships"),
    "interactions": gettext_lazy("interactions"),
    "risk_assessments": gettext_lazy("risk assessments"),
    "risk_expired": gettext_lazy("contacts whose risk profile has expired"),
    "tag_assignments": gettext_lazy("tag assignments"),
    "review_overdue": gettext_lazy("contacts overdue for review"),
    "deceased": gettext_lazy("deceased"),
    "do_not_contact": gettext_lazy("do not contact"),
    "near_duplicates": gettext_lazy("near-duplicates"),
}


def refuse_in_production() -> None:
    """Invented people must never reach a real book, whatever the database looks like."""
    module = getattr(settings, "SETTINGS_MODULE", "") or ""
    if module.endswith(".production"):
        raise CommandError(
            _(
                "seed_demo loads invented people and a published password; it refuses to run "
                "under production settings (%(module)s)."
            )
            % {"module": module}
        )


class Command(BaseCommand):
    help = gettext_lazy(
        "Load demo staff and an invented book of contacts. Never runs under production settings."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--contacts",
            type=int,
            default=2000,
            help=_("How many contacts to add (default 2000)."),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing if the book already holds any contact."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Random seed: the same seed gives the same book (default %(default)s)."),
        )

    def handle(self, *args, **options) -> None:
        refuse_in_production()
        count = options["contacts"]
        if count < 0:
            raise CommandError(_("--contacts cannot be negative."))
        if options["if_empty"] and Contact.objects.exists():
            self.stdout.write(_("The book already holds contacts; nothing was loaded."))
        else:
            started = time.monotonic()
            users = demo_staff_create()
            summary = demo_book_seed(contacts=count, seed=options["seed"], users=users)
            elapsed = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    _("Loaded %(count)d demo contacts in %(seconds).1f s (seed %(seed)d).")
                    % {
                        "count": summary.counts["contacts"],
                        "seconds": elapsed,
                        "seed": options["seed"],
                    }
                )
            )
            for key, label in COUNT_LABELS.items():
                self.stdout.write(f"  {label}: {summary.counts[key]:,}")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            _("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD}
        )
        for spec in STAFF:
            role_labels = ", ".join(str(roles.LABELS[r]) for r in spec.roles)
            team = f" — {spec.team}" if spec.team else ""
            self.stdout.write(f"  {spec.username:<15} {role_labels}{team}")
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and log in.") % {"url": DEMO_URL})
