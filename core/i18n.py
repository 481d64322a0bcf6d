"""Message extraction and catalogue merging in pure Python (no system gettext).

``manage.py makemessages`` needs GNU xgettext and msgmerge; the install must need nothing beyond
Python and pip. This module does the same job: Babel's Python extractor reads our .py files, and
templates go through Django's own ``templatize()`` first, exactly as makemessages feeds them to
xgettext, so a ``{% blocktranslate %}`` yields the very msgid the template asks for at runtime.
Merging into the .po file is done with polib. ``manage.py extract_messages`` and the translation
tests both use it.
"""

from __future__ import annotations

import ast
import copy
import difflib
import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from django.utils.translation.template import templatize

# makemessages passes these on top of xgettext's defaults (django/core/management/commands/
# makemessages.py); a keyword spec is Babel's: argument positions, (n, "c") for the context.
PYTHON_KEYWORDS: dict = {
    **DEFAULT_KEYWORDS,
    "gettext_noop": None,
    "gettext_lazy": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# What templatize() writes: gettext, ngettext, pgettext, npgettext and _ for _("...") constants.
TEMPLATE_KEYWORDS: dict = DEFAULT_KEYWORDS
TRANSLATION_MODULE = "django.utils.translation"
COMMENT_TAGS = ("Translators",)

TEMPLATE_SUFFIXES = (".html", ".txt")
# Migrations repeat the models' verbose names; tests hold no user-facing strings.
SKIPPED_DIRS = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", "migrations", "tests", "var"}
)
SKIPPED_PY_FILES = re.compile(r"^(test_.*|.*_test|conftest|tests)\.py$")

PLURAL_FORMS = "nplurals=1; plural=0;"
FUZZY_CUTOFF = 0.8

# %(name)s, %s, %5.2f ... and %% (a literal percent sign, escaped).
PERCENT_RE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?"
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
BRACE_RE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_][\w.\[\]]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


class ExtractionError(Exception):
    """A source file could not be read for messages (a broken template, say)."""


@dataclass
class Message:
    """One translatable message and every place that asks for it."""

    msgid: str
    msgid_plural: str = ""
    msgctxt: str | None = None
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def flags(self) -> list[str]:
        text = self.msgid + self.msgid_plural
        flags = []
        if any(m["conv"] != "%" for m in PERCENT_RE.finditer(text)):
            flags.append("python-format")
        elif BRACE_RE.search(text):
            flags.append("python-brace-format")
        return flags


@dataclass
class Problem:
    kind: str  # "missing", "untranslated", "fuzzy" or "placeholders"
    msgid: str
    msgctxt: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        where = f" [context {self.msgctxt}]" if self.msgctxt else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.kind}: {self.msgid!r}{where}{detail}"


# --- finding the files ---------------------------------------------------------------------


def source_files(roots: Iterable[Path]) -> list[Path]:
    """The .py files and templates under ``roots`` that may hold messages, sorted, no repeats."""
    found: set[Path] = set()
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            relative_parts = path.relative_to(root).parts
            if any(part in SKIPPED_DIRS for part in relative_parts[:-1]) or not path.is_file():
                continue
            is_python = path.suffix == ".py" and not SKIPPED_PY_FILES.match(path.name)
            is_template = path.suffix in TEMPLATE_SUFFIXES and "templates" in path.parts
            if is_python or is_template:
                found.add(path.resolve())
    return sorted(found)


def project_roots() -> list[Path]:
    """Our own apps and template directories (never installed packages), from the settings."""
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()

    def ours(path: Path) -> bool:
        path = path.resolve()
        return path.is_relative_to(base) and not any(
            part in SKIPPED_DIRS for part in path.relative_to(base).parts
        )

    roots = [Path(config.path) for config in apps.get_app_configs()]
    for engine in settings.TEMPLATES:
        roots.extend(Path(d) for d in engine.get("DIRS", []))
    return sorted({root.resolve() for root in roots if ours(Path(root))})


# --- extraction ------------------------------------------------------------------------------


def translation_aliases(source: str) -> dict:
    """Extra keywords for one Python file: ``from django.utils.translation import x as y``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == TRANSLATION_MODULE:
            for name in node.names:
                if name.asname and name.name in PYTHON_KEYWORDS:
                    aliases[name.asname] = PYTHON_KEYWORDS[name.name]
    return aliases


def _run_extractor(source: str, keywords: dict, origin: str) -> Iterator[tuple]:
    fileobj = io.BytesIO(source.encode("utf-8"))
    fileobj.name = origin or "(source)"  # Babel's warnings name the file
    yield from extract(
        "python",
        fileobj,
        keywords=keywords,
        comment_tags=COMMENT_TAGS,
        options={"encoding": "utf-8"},
        strip_comment_tags=False,
    )


def extract_source(source: str, *, template: bool, origin: str = "") -> Iterator[tuple]:
    """Yield ``(lineno, msgid, msgid_plural, msgctxt, comments)`` for one file's text."""
    if template:
        # templatize() keeps the template's indentation, which Python's tokenizer (unlike
        # xgettext) rejects. Its gettext calls never span lines, so dedenting is harmless.
        source = templatize(source, origin=origin or None)
        source = "\n".join(line.lstrip() for line in source.split("\n"))
        keywords = TEMPLATE_KEYWORDS
    else:
        keywords = {**PYTHON_KEYWORDS, **translation_aliases(source)}
    for lineno, message, comments, context in _run_extractor(source, keywords, origin):
        if isinstance(message, tuple):
            msgid, msgid_plural = message[0], message[1]
        else:
            msgid, msgid_plural = message, ""
        if not msgid:  # gettext("") would return the catalogue header
            continue
        yield lineno, msgid, msgid_plural or "", context, list(comments)


def extract_messages(roots: Iterable[Path], base_dir: Path) -> dict[tuple, Message]:
    """Every message under ``roots``, keyed by (context, msgid), in order of first appearance."""
    base_dir = Path(base_dir).resolve()
    messages: dict[tuple, Message] = {}
    for path in source_files(roots):
        relative = (
            path.relative_to(base_dir) if path.is_relative_to(base_dir) else path
        ).as_posix()
        source = path.read_text(encoding="utf-8")
        is_template = path.suffix in TEMPLATE_SUFFIXES
        try:
            found = list(extract_source(source, template=is_template, origin=relative))
        except (SyntaxError, tokenize.TokenError, UnicodeError) as exc:
            raise ExtractionError(f"{relative}: cannot extract messages: {exc}") from exc
        for lineno, msgid, plural, context, comments in found:
            message = messages.setdefault((context, msgid), Message(msgid, msgctxt=context))
            if plural and not message.msgid_plural:
                message.msgid_plural = plural
            if (relative, lineno) not in message.locations:
                message.locations.append((relative, lineno))
            message.comments.extend(c for c in comments if c not in message.comments)
    return messages


# --- the catalogue ---------------------------------------------------------------------------


def po_metadata(language: str, existing: dict | None = None) -> dict:
    metadata = {
        "Project-Id-Version": "Prudence",
        "Report-Msgid-Bugs-To": "",
        "Language-Team": "Traditional Chinese (Taiwan)",
        **(existing or {}),
    }
    metadata.update(
        {
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
    )
    if language.startswith("zh"):
        metadata["Plural-Forms"] = PLURAL_FORMS
    return metadata


def load_catalogue(po_path: Path, language: str) -> polib.POFile:
    if Path(po_path).exists():
        return polib.pofile(str(po_path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.header = f"Prudence: the {language} message catalogue.\nRun `manage.py extract_messages`."
    po.metadata = po_metadata(language)
    return po


def _entry_key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt or None, entry.msgid)


def _nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match[1]) if match else 2


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@dataclass
class MergeResult:
    catalogue: polib.POFile
    added: list[str] = field(default_factory=list)
    fuzzy_matched: list[str] = field(default_factory=list)
    obsoleted: list[str] = field(default_factory=list)


def merge(
    po: polib.POFile, messages: dict[tuple, Message], *, keep_obsolete: bool = True
) -> MergeResult:
    """Bring ``po`` in line with ``messages`` the way msgmerge would.

    Translations of messages still in use are kept; new messages arrive untranslated, or fuzzy
    with the translation of a close old message (so a reworded string is a review, not a
    rewrite); messages no longer in use become obsolete (#~), keeping their translation in case
    they come back.
    """
    language = po.metadata.get("Language", "zh_Hant")
    old = {_entry_key(e): e for e in po}
    result = MergeResult(catalogue=polib.POFile(wrapwidth=po.wrapwidth or 0))
    new_po = result.catalogue
    new_po.header = po.header
    new_po.metadata = po_metadata(language, po.metadata)
    nplurals = _nplurals(new_po)

    unused = {k: e for k, e in old.items() if k not in messages and _is_translated(e)}
    for key, message in messages.items():
        previous = old.get(key)
        entry = polib.POEntry(
            msgid=message.msgid,
            msgctxt=message.msgctxt,
            msgid_plural=message.msgid_plural,
            occurrences=[(path, str(line)) for path, line in message.locations],
            comment="\n".join(message.comments),
            flags=list(message.flags),
        )
        if previous is not None:
            entry.tcomment = previous.tcomment
            _copy_translation(previous, entry, nplurals)
            if "fuzzy" in previous.flags:
                _add_flag(entry, "fuzzy")
                entry.previous_msgid = previous.previous_msgid
                entry.previous_msgctxt = previous.previous_msgctxt
        else:
            close = _closest(message, unused)
            if close is not None:
                _copy_translation(close, entry, nplurals)
                _add_flag(entry, "fuzzy")
                entry.previous_msgid = close.msgid
                if close.msgid_plural:
                    entry.previous_msgid_plural = close.msgid_plural
                result.fuzzy_matched.append(message.msgid)
            else:
                _blank_translation(entry, nplurals)
            result.added.append(message.msgid)
        new_po.append(entry)

    if keep_obsolete:
        for key, entry in old.items():
            if key in messages or not _is_translated(entry):
                continue
            if not entry.obsolete:
                result.obsoleted.append(entry.msgid)
            entry = copy.copy(entry)
            entry.obsolete = True
            entry.occurrences = []
            new_po.append(entry)
    else:
        result.obsoleted = [e.msgid for k, e in old.items() if k not in messages and not e.obsolete]
    return result


def _copy_translation(source: polib.POEntry, target: polib.POEntry, nplurals: int) -> None:
    if target.msgid_plural:
        plurals = dict(source.msgstr_plural) if source.msgid_plural else {0: source.msgstr}
        target.msgstr_plural = {i: plurals.get(i, "") for i in range(nplurals)}
        if source.msgid_plural != target.msgid_plural and _is_translated(source):
            _add_flag(target, "fuzzy")
    else:
        target.msgstr = source.msgstr_plural.get(0, "") if source.msgid_plural else source.msgstr
        if source.msgid_plural and target.msgstr:
            _add_flag(target, "fuzzy")


def _add_flag(entry: polib.POEntry, flag: str) -> None:
    if flag not in entry.flags:
        entry.flags.append(flag)


def _blank_translation(entry: polib.POEntry, nplurals: int) -> None:
    if entry.msgid_plural:
        entry.msgstr_plural = dict.fromkeys(range(nplurals), "")
    else:
        entry.msgstr = ""


def _closest(message: Message, candidates: dict[tuple, polib.POEntry]) -> polib.POEntry | None:
    best, best_ratio = None, FUZZY_CUTOFF
    for (context, msgid), entry in candidates.items():
        if context != message.msgctxt:
            continue
        ratio = difflib.SequenceMatcher(None, message.msgid, msgid).ratio()
        if ratio >= best_ratio:
            best, best_ratio = entry, ratio
    return best


def render(po: polib.POFile) -> str:
    text = str(po)
    return text if text.endswith("\n") else text + "\n"


# --- checks ----------------------------------------------------------------------------------


def catalogue_problems(po: polib.POFile, messages: dict[tuple, Message]) -> list[Problem]:
    """Messages the code asks for that the catalogue cannot answer: missing, empty or fuzzy."""
    live = {_entry_key(e): e for e in po if not e.obsolete}
    problems = []
    for key, message in messages.items():
        entry = live.get(key)
        if entry is None:
            problems.append(Problem("missing", message.msgid, message.msgctxt))
        elif "fuzzy" in entry.flags:
            problems.append(Problem("fuzzy", message.msgid, message.msgctxt))
        elif not _is_translated(entry):
            problems.append(Problem("untranslated", message.msgid, message.msgctxt))
        elif bool(entry.msgid_plural) != bool(message.msgid_plural):
            problems.append(
                Problem("missing", message.msgid, message.msgctxt, "plural form changed")
            )
    return problems


def placeholders(text: str) -> tuple:
    """What a translation must keep: named %(x)s, the order of bare %s/%d, %% and {x} fields."""
    named, positional, escaped = set(), [], 0
    for match in PERCENT_RE.finditer(text):
        if match["conv"] == "%":
            escaped += 1
        elif match["name"] is not None:
            named.add(f"%({match['name']}){match['conv']}")
        else:
            positional.append(f"%{match['conv']}")
    braces = {match[0] for match in BRACE_RE.finditer(text)}
    return (frozenset(named), tuple(positional), escaped, frozenset(braces))


def placeholder_problems(po: polib.POFile) -> list[Problem]:
    """Translated entries whose placeholders differ from their msgid's (a crash at runtime)."""
    problems = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translation in pairs:
            if placeholders(source) != placeholders(translation):
                problems.append(
                    Problem(
                        "placeholders",
                        entry.msgid,
                        entry.msgctxt,
                        f"{translation!r} does not keep the placeholders of {source!r}",
                    )
                )
    return problems
