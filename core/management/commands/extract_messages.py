"""``makemessages`` without GNU gettext: extract our messages and merge them into the .po files."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import i18n


class Command(BaseCommand):
    help = (
        "Extract every translatable message from our apps and templates and merge it into "
        "locale/<locale>/LC_MESSAGES/django.po (pure Python, no xgettext). With --check, change "
        "nothing and fail if a message is missing, untranslated or fuzzy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "-l",
            "--locale",
            action="append",
            dest="locales",
            help="Locale to update, e.g. zh_Hant (repeatable). Default: every catalogue found.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit non-zero listing messages the catalogue cannot answer.",
        )
        parser.add_argument(
            "--no-obsolete",
            action="store_true",
            help="Drop messages no longer in the code instead of keeping them as #~ entries.",
        )

    def handle(self, *args, locales=None, check=False, no_obsolete=False, **options) -> None:
        locale_dir = Path(settings.LOCALE_PATHS[0])
        if not locales:
            locales = sorted(
                p.parent.parent.name for p in locale_dir.glob("*/LC_MESSAGES/django.po")
            ) or ["zh_Hant"]
        try:
            messages = i18n.extract_messages(i18n.project_roots(), Path(settings.BASE_DIR))
        except i18n.ExtractionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"extracted {len(messages)} message(s)")

        failures = []
        for locale in locales:
            po_path = locale_dir / locale / "LC_MESSAGES" / "django.po"
            po = i18n.load_catalogue(po_path, locale)
            if check:
                problems = i18n.catalogue_problems(po, messages)
                problems += i18n.placeholder_problems(po)
                for problem in problems:
                    failures.append(f"{locale}: {problem}")
                continue
            result = i18n.merge(po, messages, keep_obsolete=not no_obsolete)
            text = i18n.render(result.catalogue)
            old_text = po_path.read_text(encoding="utf-8") if po_path.exists() else ""
            if text != old_text:
                po_path.parent.mkdir(parents=True, exist_ok=True)
                po_path.write_text(text, encoding="utf-8")
            untranslated = i18n.catalogue_problems(result.catalogue, messages)
            self.stdout.write(
                f"{po_path.relative_to(settings.BASE_DIR)}: {len(result.added)} new "
                f"({len(result.fuzzy_matched)} fuzzy from a similar old message), "
                f"{len(result.obsoleted)} obsolete, {len(untranslated)} to translate"
            )
        if failures:
            raise CommandError(
                f"{len(failures)} message(s) need translating:\n" + "\n".join(failures)
            )
