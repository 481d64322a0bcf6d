"""Both locales ship complete: every message is translated, and no user-facing text escapes
translation.

The catalogue is re-extracted in memory (``core.i18n``, the engine behind
``manage.py extract_messages``), so a string added anywhere without a translation fails here.
To fix a failure: ``manage.py extract_messages``, translate the new entries in
``locale/zh_Hant/LC_MESSAGES/django.po``, then ``manage.py compiletranslations``.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.template.base import Lexer, TokenType
from django.utils import translation

from core import i18n

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "zh_Hant" / "LC_MESSAGES" / "django.po"
HINT = (
    "\nRun `manage.py extract_messages`, translate the entries in "
    "locale/zh_Hant/LC_MESSAGES/django.po, then `manage.py compiletranslations`."
)

# Language names in a language switcher are written in their own language on purpose.
LANGUAGE_NAMES = frozenset({"English"})
# Product names a Taiwanese user reads in Latin script ("匯出 Excel").
PROPER_NOUNS = frozenset({"Excel"})
# Attributes a person reads (or hears from a screen reader); other attribute values are code.
VISIBLE_ATTRIBUTES = frozenset(
    {"title", "placeholder", "alt", "aria-label", "aria-description", "hx-confirm", "hx-prompt"}
)
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
INVISIBLE_ELEMENTS = frozenset({"script", "style", "template", "svg", "math"})

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_RE = re.compile(r"\b(?:https?://|www\.)\S+")
# A token with a digit, underscore or dot inside is an identifier, a code or a number.
IDENTIFIER_RE = re.compile(r"[A-Za-z0-9_.+/-]*(?:\d|_|[A-Za-z]\.[A-Za-z])[A-Za-z0-9_.+/-]*")
ACRONYM_RE = re.compile(r"^[A-Z]{2,5}s?$")
LATIN_RUN_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t\u00a0]+[A-Za-z][A-Za-z'’-]*)*")


# --- helpers ---------------------------------------------------------------------------------


def english_phrases(text: str, allow: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Runs of English words in ``text``; codes (TW, RR3), names in ``allow`` and data ignored."""
    for phrase in sorted(allow, key=len, reverse=True):
        if phrase:
            text = text.replace(phrase, " ")
    text = EMAIL_RE.sub(" ", text)
    text = URL_RE.sub(" ", text)
    text = IDENTIFIER_RE.sub(" ", text)
    phrases = []
    for match in LATIN_RUN_RE.finditer(text):
        words = [w.strip("'’-") for w in match[0].split()]
        # All capitals up to five letters: an ISO code or an acronym (TW, USD, KYC, ETFs).
        if any(len(w) >= 2 and not ACRONYM_RE.match(w) for w in words):
            phrases.append(" ".join(match[0].split()))
    return phrases


class _VisibleText(HTMLParser):
    """Collects (line, text) a person sees: text nodes and the few human-readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in INVISIBLE_ELEMENTS:
            self.hidden_depth += 1
            return
        attributes = dict(attrs)
        for name, value in attrs:
            if value and (
                name in VISIBLE_ATTRIBUTES
                or (
                    name == "value"
                    and tag == "input"
                    and attributes.get("type") in BUTTON_INPUT_TYPES
                )
            ):
                self.found.append((self.getpos()[0], value))

    def handle_startendtag(self, tag, attrs) -> None:
        if tag not in INVISIBLE_ELEMENTS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag in INVISIBLE_ELEMENTS and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data) -> None:
        if not self.hidden_depth and data.strip():
            self.found.append((self.getpos()[0], data))


def visible_text(html: str) -> list[tuple[int, str]]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.found


def leftover_english(html: str, allow: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """English-looking phrases a person would see on a rendered page.

    Ignores <script>, <style>, attribute values (except VISIBLE_ATTRIBUTES and button labels,
    which people read or hear), emails, URLs, numbers, identifiers, short all-capital codes
    (TW, RR3, ETFs), language names and a few product names (Excel). Pass data that is
    legitimately in Latin script (contact and user names, organisation names) in ``allow``.
    """
    allowed = LANGUAGE_NAMES | PROPER_NOUNS | set(allow)
    phrases = []
    for _line, text in visible_text(html):
        phrases.extend(english_phrases(text, allowed))
    return phrases


# Translated blocks are already marked, comments are never shown, and verbatim blocks hold
# client-side templates.
SKIPPED_BLOCKS = frozenset({"blocktranslate", "blocktrans", "comment", "verbatim"})


def template_skeleton(source: str) -> str:
    """The template's literal text, with template syntax and translated blocks blanked out.

    Newlines are kept so the HTML parser reports the template's own line numbers.
    """
    out = []
    skipping = None  # the closing tag we are waiting for
    for token in Lexer(source).tokenize():
        contents = token.contents
        newlines = "\n" * (token.contents.count("\n"))
        if token.token_type == TokenType.BLOCK:
            name = contents.split()[0] if contents.split() else ""
            if skipping is None and name in SKIPPED_BLOCKS:
                skipping = "end" + name
            elif name == skipping:
                skipping = None
            out.append(newlines)
        elif token.token_type == TokenType.TEXT and skipping is None:
            out.append(contents)
        else:
            out.append(newlines)
    return "".join(out)


def unmarked_template_text(source: str) -> list[tuple[int, str]]:
    """(line, phrase) for English a template shows without {% translate %}."""
    found = []
    for line, text in visible_text(template_skeleton(source)):
        allowed = LANGUAGE_NAMES | PROPER_NOUNS
        found.extend((line, phrase) for phrase in english_phrases(text, allowed))
    return found


GETTEXT_NAMES = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
    }
)
MESSAGE_LEVELS = frozenset({"debug", "info", "success", "warning", "error"})
USER_TEXT_KEYWORDS = frozenset(
    {"verbose_name", "verbose_name_plural", "help_text", "label", "empty_label"}
)
USER_TEXT_EXCEPTIONS = frozenset({"ValidationError", "ApplicationError"})
IGNORE_MARK = "i18n: ignore"
WORD_RE = re.compile(r"[A-Za-z]{2,}")
# snake_case names and dotted paths ("delete_row", "contacts.Contact") are code, not prose.
CODE_LITERAL_RE = re.compile(r"^[A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+$")


def _is_user_literal(node: ast.AST | None) -> bool:
    if isinstance(node, ast.JoinedStr):  # f"Hello {name}": its literal parts are prose
        return any(_is_user_literal(part) for part in node.values)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(WORD_RE.search(node.value))
        and not CODE_LITERAL_RE.match(node.value)
    )


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _UnmarkedStrings(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def flag(self, node: ast.AST, why: str) -> None:
        self.found.append((node.lineno, why))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        is_choices = any(_name(base).endswith("Choices") for base in node.bases)
        is_meta = node.name == "Meta"
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = {_name(t) for t in statement.targets}
            value = statement.value
            is_choice = is_choices and isinstance(value, ast.Tuple) and len(value.elts) >= 2
            if is_choice and _is_user_literal(value.elts[-1]):
                self.flag(statement, f"choice label {ast.unparse(value.elts[-1])}")
            names = targets & {"verbose_name", "verbose_name_plural"}
            if is_meta and names and _is_user_literal(value):
                self.flag(statement, f"Meta.{names.pop()} {ast.unparse(value)}")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        # ModelAdmin methods: method.short_description = "..."
        for target in node.targets:
            is_description = (
                isinstance(target, ast.Attribute) and target.attr == "short_description"
            )
            if is_description and _is_user_literal(node.value):
                self.flag(node, f"short_description {ast.unparse(node.value)}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
        args = node.args
        if owner == "messages" and name in MESSAGE_LEVELS and len(args) >= 2:
            if _is_user_literal(args[1]):
                self.flag(node, f"messages.{name}(…, {ast.unparse(args[1])})")
        elif owner == "messages" and name == "add_message" and len(args) >= 3:
            if _is_user_literal(args[2]):
                self.flag(node, f"messages.add_message(…, {ast.unparse(args[2])})")
        elif name in USER_TEXT_EXCEPTIONS and args:
            # ValidationError("..."), ValidationError(["..."]) or ValidationError({"f": "..."})
            first = args[0]
            literals = first.values if isinstance(first, ast.Dict) else [first]
            if isinstance(first, ast.List):
                literals = first.elts
            if any(_is_user_literal(v) for v in literals):
                self.flag(node, f"{name}({ast.unparse(first)})")
        elif name == "add_error" and len(args) >= 2 and _is_user_literal(args[1]):
            self.flag(node, f"add_error(…, {ast.unparse(args[1])})")
        elif name in GETTEXT_NAMES and args:
            with_context = name.startswith(("pgettext", "npgettext")) and len(args) > 1
            message = args[1] if with_context else args[0]
            formatted = (
                isinstance(message, ast.JoinedStr)
                or (isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod))
                or (isinstance(message, ast.Call) and _name(message.func) == "format")
            )
            if formatted:
                self.flag(node, f"{name}() of a formatted string: format after translating")
        if name in {"display", "action"}:  # @admin.display(description=...)
            for keyword in node.keywords:
                if keyword.arg == "description" and _is_user_literal(keyword.value):
                    self.flag(node, f"description={ast.unparse(keyword.value)}")
        for keyword in node.keywords:
            if keyword.arg in USER_TEXT_KEYWORDS and _is_user_literal(keyword.value):
                self.flag(node, f"{keyword.arg}={ast.unparse(keyword.value)}")
            if keyword.arg == "attrs" and isinstance(keyword.value, ast.Dict):
                # widget attrs={"placeholder": "..."}: people read these
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    is_visible = isinstance(key, ast.Constant) and key.value in VISIBLE_ATTRIBUTES
                    if is_visible and _is_user_literal(value):
                        self.flag(value, f"attrs {key.value!r}: {ast.unparse(value)}")
            if keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                for choice in keyword.value.elts:
                    is_pair = isinstance(choice, ast.Tuple) and len(choice.elts) == 2
                    if is_pair and _is_user_literal(choice.elts[1]):
                        self.flag(choice, f"choice label {ast.unparse(choice.elts[1])}")
        self.generic_visit(node)


def unmarked_python_strings(source: str) -> list[tuple[int, str]]:
    """(line, what) for user-facing literals in Python that are not wrapped in gettext."""
    finder = _UnmarkedStrings()
    finder.visit(ast.parse(source))
    lines = source.splitlines()
    return sorted(
        (line, why) for line, why in set(finder.found) if IGNORE_MARK not in lines[line - 1]
    )


def project_files(suffixes: tuple[str, ...]) -> list[Path]:
    return [p for p in i18n.source_files(i18n.project_roots()) if p.suffix in suffixes]


def relative(path: Path) -> str:
    return path.relative_to(settings.BASE_DIR).as_posix()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted():
    return i18n.extract_messages(i18n.project_roots(), Path(settings.BASE_DIR))


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


@pytest.fixture
def compiled_locale(tmp_path, settings):
    """The project's catalogue compiled by our command into a private LOCALE_PATHS.

    Compiling a copy keeps the test from racing anyone editing the .po file; changing
    LOCALE_PATHS also makes Django drop its cached catalogues.
    """
    target = tmp_path / "zh_Hant" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(PO_PATH, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compiletranslations", stdout=io.StringIO())
    assert (target / "django.mo").exists()
    return tmp_path


# --- the catalogue is complete and safe ------------------------------------------------------


def test_every_message_in_the_code_is_translated(extracted, catalogue):
    problems = i18n.catalogue_problems(catalogue, extracted)
    assert not problems, (
        f"{len(problems)} message(s) not translated into zh_Hant:\n"
        + "\n".join(f"  {p}" for p in problems)
        + HINT
    )


def test_catalogue_header_declares_the_language_and_its_single_plural_form(catalogue):
    assert catalogue.metadata["Language"] == "zh_Hant"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]


def test_every_translation_keeps_its_placeholders(catalogue):
    problems = i18n.placeholder_problems(catalogue)
    assert not problems, "\n".join(f"  {p}" for p in problems)


def test_the_check_flag_fails_on_an_untranslated_message(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    target = tmp_path / "zh_Hant" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = i18n.load_catalogue(target / "django.po", "zh_Hant")
    po.save(str(target / "django.po"))

    with pytest.raises(CommandError, match=r"untranslated|missing"):
        call_command("extract_messages", "--check", stdout=io.StringIO())


# --- nothing escapes translation -------------------------------------------------------------


def test_templates_show_no_english_outside_translate_tags():
    found = []
    for path in project_files(i18n.TEMPLATE_SUFFIXES):
        for line, phrase in unmarked_template_text(path.read_text(encoding="utf-8")):
            found.append(f"  {relative(path)}:{line}: {phrase!r}")
    assert not found, "Wrap these in {% translate %} or {% blocktranslate %}:\n" + "\n".join(found)


def test_python_user_strings_are_marked_for_translation():
    found = []
    for path in project_files((".py",)):
        for line, what in unmarked_python_strings(path.read_text(encoding="utf-8")):
            found.append(f"  {relative(path)}:{line}: {what}")
    assert not found, (
        "Wrap these in gettext_lazy()/gettext() (or end the line with `# i18n: ignore`):\n"
        + "\n".join(found)
    )


# --- the checks themselves -------------------------------------------------------------------


def test_leftover_english_finds_prose_and_ignores_data():
    html = """
    <html><head><title>聯絡人 · Contacts</title><style>.x { color: red }</style></head>
    <body>
      <script>const label = "Do not show";</script>
      <h1 class="text-muted" data-role="main heading">客戶名冊</h1>
      <p>Welcome back, 陳怡君</p>
      <p>Grace Chen · rm_alice · grace.chen@example.com · +886 912 345 678 · TW · RR3 · ETFs</p>
      <input type="text" placeholder="Search contacts" name="q">
      <input type="submit" value="儲存">
      <button aria-label="Close">×</button>
      <a href="https://example.com/some/path">https://example.com/some/path</a>
      <button name="language" value="en">English</button>
    </body></html>
    """
    assert leftover_english(html, allow={"Grace Chen"}) == [
        "Contacts",
        "Welcome back",
        "Search contacts",
        "Close",
    ]


def test_unmarked_template_text_sees_through_template_syntax():
    source = """{% load i18n %}{# a note to developers #}
<h1 class="alert-{% if x %}danger{% endif %}">{% translate "Contacts" %}</h1>
{% blocktranslate count counter=n %}{{ counter }} contact{% plural %}{{ counter }} contacts
{% endblocktranslate %}{% comment %}Nobody sees this{% endcomment %}
<p>{{ contact.display_name }} — {{ contact.owner }}</p>
<button>English</button>
<p>Save changes</p>
<input placeholder="{% translate 'Search' %}"><input placeholder="Type a name">
"""
    assert unmarked_template_text(source) == [(7, "Save changes"), (8, "Type a name")]


def test_unmarked_python_strings_finds_literals_a_user_would_see():
    source = """
from django.contrib import messages
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CLIENT = "client", "Client"


class Thing(models.Model):
    name = models.CharField(_("name"), max_length=10, help_text="Shown on the form")
    code = models.CharField(verbose_name=_("code"), max_length=10)

    class Meta:
        verbose_name = "thing"


def view(request):
    messages.success(request, "Saved.")
    messages.error(request, _("Failed."))
    raise ValidationError("Bad value")
    _(f"Hello {request.user}")
    label = "internal"  # not user-facing
    fields = {"title": "delete_row"}
    widget = forms.TextInput(attrs={"placeholder": "Family name", "class": "form-control"})
    messages.info(request, "Kept in English on purpose")  # i18n: ignore
"""
    assert [line for line, _ in unmarked_python_strings(source)] == [9, 13, 17, 21, 23, 24, 27]


def test_merge_keeps_translations_adds_new_marks_reworded_fuzzy_and_old_obsolete():
    po = i18n.load_catalogue(Path("/nonexistent/django.po"), "zh_Hant")
    for msgid, msgstr in [
        ("Save", "儲存"),
        ("Delete this contact now", "立即刪除此聯絡人"),
        ("Gone for good", "已移除"),
    ]:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, occurrences=[("old.py", "1")]))
    messages = {
        (None, "Save"): i18n.Message("Save", locations=[("a.html", 3)]),
        (None, "Delete this contact"): i18n.Message("Delete this contact"),
        (None, "Brand new"): i18n.Message("Brand new"),
        (None, "%(n)s day"): i18n.Message("%(n)s day", msgid_plural="%(n)s days"),
    }

    merged = i18n.merge(po, messages).catalogue
    entries = {e.msgid: e for e in merged}

    assert entries["Save"].msgstr == "儲存"
    assert entries["Save"].occurrences == [("a.html", "3")]
    assert entries["Delete this contact"].msgstr == "立即刪除此聯絡人"
    assert "fuzzy" in entries["Delete this contact"].flags
    assert entries["Delete this contact"].previous_msgid == "Delete this contact now"
    assert entries["Brand new"].msgstr == ""
    assert entries["%(n)s day"].msgstr_plural == {0: ""}
    assert "python-format" in entries["%(n)s day"].flags
    assert entries["Gone for good"].obsolete
    assert entries["Gone for good"].msgstr == "已移除"
    assert merged.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert {p.kind for p in i18n.catalogue_problems(merged, messages)} == {
        "fuzzy",
        "untranslated",
    }


def test_placeholder_check_catches_a_dropped_or_renamed_placeholder():
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Hello %(name)s", msgstr="你好 %(名字)s"))
    po.append(polib.POEntry(msgid="%d of %d", msgstr="共 %d"))
    po.append(polib.POEntry(msgid="Rate {rate}%%", msgstr="利率 {rate}%%"))
    assert [p.msgid for p in i18n.placeholder_problems(po)] == ["Hello %(name)s", "%d of %d"]


# --- runtime lookups hit the catalogue -------------------------------------------------------


def test_compiled_catalogue_answers_in_traditional_chinese(compiled_locale, catalogue):
    ours = {e.msgid: e.msgstr for e in catalogue if not e.msgctxt and not e.msgid_plural}
    # "Log in" is also in Django admin's catalogue; ours must win. "Log in to Prudence" is ours.
    for msgid in ("Log in", "Log in to Prudence"):
        with translation.override("zh-hant"):
            assert translation.gettext(msgid) == ours[msgid]
            assert not english_phrases(translation.gettext(msgid))
        with translation.override("en"):
            assert translation.gettext(msgid) == msgid


SYNTHETIC_TEMPLATE = """{% load i18n %}
<p>{% translate "Synthetic plain" %}</p>
<p>{% translate "Synthetic menu" context "navigation" %}</p>
<p>{% blocktranslate with name=person %}Synthetic hello, {{ name }}{% endblocktranslate %}</p>
<p>{% blocktranslate count counter=items|length %}{{ counter }} synthetic item{% plural %}
{{ counter }} synthetic items{% endblocktranslate %}</p>
<p>{% blocktranslate trimmed with rate=rate %}
    Synthetic rate {{ rate }}%
    per year
{% endblocktranslate %}</p>
<p>{% blocktranslate context "finance" %}Synthetic book{% endblocktranslate %}</p>
<p>{{ missing|default:_("Synthetic default") }}</p>
"""


def test_extracted_template_msgids_are_the_ones_templates_look_up(tmp_path, settings):
    """Extraction and rendering agree on every form of translation tag, plurals included."""
    found = list(i18n.extract_source(SYNTHETIC_TEMPLATE, template=True))
    po = i18n.load_catalogue(tmp_path / "new.po", "zh_Hant")
    for _line, msgid, plural, context, _comments in found:
        entry = polib.POEntry(msgid=msgid, msgid_plural=plural, msgctxt=context)
        if plural:
            entry.msgstr_plural = {0: "譯" + plural}
        else:
            entry.msgstr = "譯" + msgid
        po.append(entry)
    assert {(e.msgctxt, e.msgid) for e in po} == {
        (None, "Synthetic plain"),
        ("navigation", "Synthetic menu"),
        (None, "Synthetic hello, %(name)s"),
        (None, "%(counter)s synthetic item"),
        (None, "Synthetic rate %(rate)s%% per year"),
        ("finance", "Synthetic book"),
        (None, "Synthetic default"),
    }
    target = tmp_path / "zh_Hant" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po.save_as_mofile(str(target / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]

    with translation.override("zh-hant"):
        html = Template(SYNTHETIC_TEMPLATE).render(
            Context({"person": "Ada", "items": [1, 2, 3], "rate": 2})
        )
    for text in (
        "譯Synthetic plain",
        "譯Synthetic menu",
        "譯Synthetic hello, Ada",
        "譯\n3 synthetic items",
        "譯Synthetic rate 2% per year",
        "譯Synthetic book",
        "譯Synthetic default",
    ):
        assert text in html


@pytest.mark.django_db
def test_login_page_in_traditional_chinese_has_no_english_left(client, compiled_locale):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hant"' in html
    assert leftover_english(html) == []
