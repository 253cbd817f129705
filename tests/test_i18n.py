"""UI languages: the da/nb/sv/nl catalogs are complete and compiled, pages switch language, and
numbers, dates and money read the way the reader's locale writes them.

The catalogs are checked without polib or gettext tools (neither is needed on a fresh machine):
a small reader parses the .po files and Python's `gettext` module loads the committed .mo files.
When a test here fails after you marked new strings, refresh the catalogs:

    python manage.py makemessages -l da -l nb -l sv -l nl --no-obsolete \
        --ignore=.venv --ignore=staticfiles --ignore=var --ignore=node_modules --ignore=tests
    (translate the new entries)
    python manage.py compilemessages --ignore=.venv
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation.template import templatize

from campaigns.models import Campaign, CampaignStatus, SpendItem

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"  # the same rule for da, nb, sv and nl


# --- A small .po reader ------------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> tuple[dict[str, str], list[PoEntry]]:
    """The header fields and the entries of a gettext catalog."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = PoEntry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#~"):
            entry.obsolete = started = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}: a continuation line without a keyword: {raw!r}"
            _append(entry, target, ast.literal_eval(line))
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path}: cannot read the line {raw!r}"
        keyword, index, literal = match.groups()
        target = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else (keyword, 0)
        started = True
        _append(entry, target, ast.literal_eval(literal))
    finish()
    header_entries = [e for e in entries if not e.msgid and e.msgctxt is None and not e.obsolete]
    header: dict[str, str] = {}
    if header_entries:
        for header_line in header_entries[0].msgstr.get(0, "").splitlines():
            name, _sep, value = header_line.partition(":")
            header[name.strip()] = value.strip()
    return header, entries


def _append(entry: PoEntry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgid":
        entry.msgid += text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgctxt = (entry.msgctxt or "") + text


def messages(lang: str) -> list[PoEntry]:
    return [e for e in read_po(_po_path(lang))[1] if (e.msgid or e.msgctxt) and not e.obsolete]


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def _mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.mo"


# --- What the code marks for translation ---------------------------------------------------------

# The keywords makemessages hands to xgettext for Python (and the ones templatize writes).
_PY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "_": ("s",),
    "gettext": ("s",),
    "gettext_lazy": ("s",),
    "gettext_noop": ("s",),
    "ngettext": ("s", "p"),
    "ngettext_lazy": ("s", "p"),
    "pgettext": ("c", "s"),
    "pgettext_lazy": ("c", "s"),
    "npgettext": ("c", "s", "p"),
    "npgettext_lazy": ("c", "s", "p"),
}
_SKIP_DIRS = {".venv", "var", "staticfiles", "static", "node_modules", "tests", "__pycache__"}
Marked = tuple[str | None, str, str | None]  # (context, msgid, msgid_plural)


def _source_files() -> Iterator[Path]:
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = [
            d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".") and "egg-info" not in d
        ]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                yield Path(root) / name


def _marked(kind: str, args: list[str]) -> Marked:
    values = dict(zip(_PY_KEYWORDS[kind], args, strict=False))
    return (values.get("c"), values["s"], values.get("p"))


def marked_in_python(source: str) -> set[Marked]:
    found: set[Marked] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in _PY_KEYWORDS:
            continue
        needed = len(_PY_KEYWORDS[name])
        literals = [
            a.value
            for a in node.args[:needed]
            if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if len(literals) == needed:
            found.add(_marked(name, literals))
    return found


_TEMPLATE_CALL = re.compile(r"\b(npgettext|ngettext|pgettext|gettext)\(")


def marked_in_template(source: str, origin: str) -> set[Marked]:
    """The strings Django's own templatize (what makemessages uses) finds in a template."""
    found: set[Marked] = set()
    for line in templatize(source, origin=origin).splitlines():
        for match in _TEMPLATE_CALL.finditer(line):
            args: list[str] = []
            tokens = tokenize.generate_tokens(io.StringIO(line[match.end() :]).readline)
            for token in tokens:
                if token.type == tokenize.STRING:
                    args.append(ast.literal_eval(token.string))
                elif token.string != ",":
                    break
            found.add(_marked(match.group(1), args))
    return found


def marked_strings() -> set[Marked]:
    found: set[Marked] = set()
    for path in _source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".py":
            found |= marked_in_python(text)
        elif "{%" in text:
            found |= marked_in_template(text, origin=str(path))
    return found


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    """Requests activate the reader's language in this thread; leave it as other tests expect."""
    yield
    translation.deactivate()


# --- The catalogs --------------------------------------------------------------------------------


def test_every_ui_language_besides_english_has_a_catalog_and_a_compiled_file() -> None:
    assert sorted(TRANSLATED) == ["da", "nb", "nl", "sv"]
    assert LOCALE_DIR in [Path(p) for p in settings.LOCALE_PATHS]
    for lang in TRANSLATED:
        assert _po_path(lang).is_file(), f"{lang}: no django.po"
        assert _mo_path(lang).is_file(), f"{lang}: no django.mo (run compilemessages)"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_has_no_untranslated_fuzzy_or_obsolete_entries(lang: str) -> None:
    header, entries = read_po(_po_path(lang))
    assert header.get("Language") == lang
    assert header.get("Plural-Forms") == PLURAL_FORMS
    catalog = messages(lang)
    assert len(catalog) > 500, "the catalog looks truncated"
    untranslated = [
        e.msgid
        for e in catalog
        if not e.msgstr or any(not text.strip() for text in e.msgstr.values())
    ]
    fuzzy = [e.msgid or "(header)" for e in entries if "fuzzy" in e.flags]
    obsolete = [e.msgid for e in entries if e.obsolete]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy[:5]}"
    assert not obsolete, f"{lang}: obsolete entries {obsolete[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_entries_have_both_forms_and_singular_entries_one(lang: str) -> None:
    for entry in messages(lang):
        expected = [0, 1] if entry.msgid_plural is not None else [0]
        assert sorted(entry.msgstr) == expected, f"{lang}: {entry.msgid!r} has {entry.msgstr}"


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|\{\w+\}|</?[a-z][^>]*>|&[a-z]+;")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder_and_html_tag(lang: str) -> None:
    problems = []
    for entry in messages(lang):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for index, source in enumerate(sources):
            want = sorted(_PLACEHOLDER.findall(source))
            got = sorted(_PLACEHOLDER.findall(entry.msgstr.get(index, "")))
            if want != got:
                problems.append(f"{entry.msgid!r}[{index}]: expected {want}, found {got}")
    assert not problems, f"{lang}:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalog_says_what_the_po_file_says(lang: str) -> None:
    with _mo_path(lang).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("plural-forms") == PLURAL_FORMS
    stale = []
    for entry in messages(lang):
        if entry.msgid_plural is None:
            got = [
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            ]
        elif entry.msgctxt is not None:
            got = [
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        else:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        if got != [entry.msgstr[i] for i in sorted(entry.msgstr)]:
            stale.append(entry.msgid)
    assert not stale, f"{lang}: django.mo is older than django.po (compilemessages): {stale[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_msgfmt_accepts_the_catalog_when_gettext_tools_are_installed(lang: str) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed; the other catalog tests still run")
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(_po_path(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_string_marked_for_translation_is_in_every_catalog() -> None:
    marked = marked_strings()
    assert "Campaigns" in {msgid for _ctx, msgid, _plural in marked}, "the scan found nothing"
    for lang in TRANSLATED:
        known = {e.key for e in messages(lang)}
        missing = sorted(m[1] for m in marked if (m[0], m[1]) not in known)
        assert not missing, (
            f"{lang}: {len(missing)} marked strings are not in locale/{lang} (see this module's "
            f"docstring to refresh the catalogs), e.g. {missing[:10]}"
        )


def test_string_scanner_finds_python_and_template_markers() -> None:
    python = marked_in_python(
        "from django.utils.translation import gettext_lazy as _, ngettext, pgettext\n"
        '_("One")\nngettext("%(n)s row", "%(n)s rows", n)\npgettext("menu", "Open")\n'
        "gettext(name)\n"
    )
    assert python == {
        (None, "One", None),
        (None, "%(n)s row", "%(n)s rows"),
        ("menu", "Open", None),
    }
    template = marked_in_template(
        "{% load i18n %}<p title=\"{% translate 'Hi' %}\">{% blocktranslate count n=k %}"
        "{{ n }} day{% plural %}{{ n }} days{% endblocktranslate %}</p>"
        '{% translate "Open" context "door" %}',
        origin="t.html",
    )
    assert template == {
        (None, "Hi", None),
        (None, "%(n)s day", "%(n)s days"),
        ("door", "Open", None),
    }


# --- Pages in the reader's language --------------------------------------------------------------


def _client(world: Any, role: str = "marketer") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _switch(client: Client, lang: str, next_url: str) -> None:
    response = client.post(reverse("set_language"), {"language": lang, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.mark.django_db
def test_switching_to_swedish_renders_the_campaign_list_in_swedish_and_back_to_english(
    world: Any,
) -> None:
    client = _client(world)
    url = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    _switch(client, "sv", url)
    page = client.get(url).content.decode()
    assert '<html lang="sv">' in page
    assert "Skapa kampanj" in page and "Filtrera kampanjer" in page
    assert ">Tillgångar<" in page  # the navigation too
    assert "Create campaign" not in page
    _switch(client, "en", url)
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    assert "Create campaign" in page and "Skapa kampanj" not in page


@pytest.mark.django_db
def test_browser_language_picks_the_ui_language_until_the_user_chooses_one(world: Any) -> None:
    client = _client(world)
    url = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    assert "Opret kampagne" in client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Opprett kampanje" in client.get(url, HTTP_ACCEPT_LANGUAGE="nb-NO").content.decode()
    assert "Campagne aanmaken" in client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    _switch(client, "sv", url)
    assert "Skapa kampanj" in client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()


@pytest.mark.django_db
def test_language_switcher_offers_every_ui_language_and_marks_the_current_one(world: Any) -> None:
    client = _client(world)
    url = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    _switch(client, "nb", url)
    page = client.get(url).content.decode()
    for code, _name in settings.LANGUAGES:
        assert f'<option value="{code}"' in page
    assert '<option value="nb" selected>' in page
    assert '<label for="language-select" class="visually-hidden">Språk</label>' in page


@pytest.mark.django_db
def test_switching_language_gives_no_access_to_another_workspace(world: Any) -> None:
    client = _client(world, "outsider")
    url = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    _switch(client, "sv", url)
    assert client.get(url).status_code == 404
    detail = reverse(
        "campaigns:detail", kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk}
    )
    assert client.get(detail).status_code == 404


@pytest.mark.django_db
def test_choice_labels_and_validation_messages_follow_the_active_language(world: Any) -> None:
    with translation.override("sv"):
        assert str(CampaignStatus.IN_PROGRESS.label) == "Pågår"
    with translation.override("da"):
        assert str(CampaignStatus.IN_PROGRESS.label) == "I gang"
    with translation.override("nl"):
        assert str(Campaign._meta.get_field("start_date").verbose_name) == "startdatum"
    with translation.override("en"):
        assert str(CampaignStatus.IN_PROGRESS.label) == "In progress"


# --- Numbers, dates and money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "long_date", "short_date", "number"),
    [
        ("en", "March 5, 2026", "03/05/2026", "1,234.50"),
        ("sv", "5 mars 2026", "2026-03-05", "1\xa0234,50"),
        ("da", "5. marts 2026", "05.03.2026", "1.234,50"),
        ("nb", "5. mars 2026", "05.03.2026", "1\xa0234,50"),
        ("nl", "5 maart 2026", "5-3-2026", "1.234,50"),
    ],
)
def test_dates_and_numbers_use_the_active_languages_format(
    lang: str, long_date: str, short_date: str, number: str
) -> None:
    day = date(2026, 3, 5)
    with translation.override(lang):
        assert formats.date_format(day, "DATE_FORMAT") == long_date
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short_date
        rendered = Template('{{ amount|floatformat:"2g" }}').render(
            Context({"amount": Decimal("1234.5")})
        )
        assert rendered == number


@pytest.mark.django_db
def test_campaign_detail_shows_dates_and_spend_in_the_readers_format(world: Any) -> None:
    workspace = world.a.workspace
    campaign = Campaign.objects.create(
        workspace=workspace, name="Locale launch", start_date=date(2026, 3, 5)
    )
    SpendItem.objects.create(
        workspace=workspace,
        campaign=campaign,
        name="Print",
        amount=Decimal("1234.50"),
        currency="EUR",
        spent_on=date(2026, 3, 6),
    )
    url = reverse("campaigns:detail", kwargs={"workspace_slug": "acme", "campaign_id": campaign.pk})
    client = _client(world)
    _switch(client, "sv", url)
    page = client.get(url).content.decode()
    assert "5 mars 2026" in page
    assert "1\xa0234,50" in page
    _switch(client, "da", url)
    page = client.get(url).content.decode()
    assert "5. marts 2026" in page
    assert "1.234,50" in page
    _switch(client, "en", url)
    page = client.get(url).content.decode()
    assert "March 5, 2026" in page
    assert "1,234.50" in page


@pytest.mark.parametrize(
    ("lang", "eur", "jpy", "kwd"),
    [
        ("en", "1,234,567.89\xa0EUR", "-1,235\xa0JPY", "0.125\xa0KWD"),
        ("da", "1.234.567,89\xa0EUR", "-1.235\xa0JPY", "0,125\xa0KWD"),
        ("nb", "1\xa0234\xa0567,89\xa0EUR", "-1\xa0235\xa0JPY", "0,125\xa0KWD"),
        ("sv", "1\xa0234\xa0567,89\xa0EUR", "-1\xa0235\xa0JPY", "0,125\xa0KWD"),
        ("nl", "1.234.567,89\xa0EUR", "-1.235\xa0JPY", "0,125\xa0KWD"),
    ],
)
def test_money_filter_formats_amounts_for_the_locale_and_the_currency(
    lang: str, eur: str, jpy: str, kwd: str
) -> None:
    template = Template(
        '{% load money %}{{ a|money:"eur" }}|{{ b|money:"JPY" }}|{{ c|money:"KWD" }}'
    )
    with translation.override(lang):
        rendered = template.render(
            Context({"a": Decimal("1234567.885"), "b": -1234.5, "c": "0.1249"})
        )
    assert rendered == f"{eur}|{jpy}|{kwd}"


def test_money_filter_shows_a_dash_for_no_amount_and_nothing_for_garbage() -> None:
    template = Template("{% load money %}[{{ a|money:'EUR' }}][{{ b|money:'EUR' }}][{{ c|money }}]")
    with translation.override("sv"):
        rendered = template.render(
            Context({"a": None, "b": "not a number", "c": Decimal("-0.001")})
        )
    assert rendered == "[—][][0,00]"
