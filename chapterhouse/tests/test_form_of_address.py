"""One form of address per language (issue #15): Spanish "tú", French "tu",
Portuguese "você", German "du", Arabic the neutral plural, allauth's strings included.

allauth's own catalogues say "usted", "vous", "Sie"; our catalogues override its
strings (members/allauth_strings.py keeps them there), so no msgstr of ours may use
the formal pronouns, and allauth's pages come out in our form of address.
"""

import importlib.util
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from chapterhouse.tests.test_translations import DOMAINS, catalogue

# Formal pronouns, per language. Arabic has no T-V pronoun to forbid: our catalogue
# addresses the reader in the plural, which is already the respectful form.
FORMAL = {
    "es": re.compile(r"\busted(es)?\b", re.IGNORECASE),
    "fr": re.compile(r"\b(vous|votre|vos)\b", re.IGNORECASE),
    "pt": re.compile(
        r"\b(o senhor|a senhora|os senhores|as senhoras|vossa excelência|v\. ?ex\.?ª)",
        re.IGNORECASE,
    ),
}
# German: "Ihnen" is always formal (the plural "them" is lower case); "Sie" and
# "Ihr..." are formal unless they open a sentence, where "Sie"/"Ihr" may be "they"/"their".
GERMAN_ALWAYS = re.compile(r"\bIhnen\b")
GERMAN_MID_SENTENCE = re.compile(r"\b(Sie|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b")
SENTENCE_START = re.compile(r"(^|[.!?:;]|\n|<[^>]+>|[«„“\"(–—-])\s*$")


def german_formal(text: str) -> list[str]:
    found = [m.group(0) for m in GERMAN_ALWAYS.finditer(text)]
    for match in GERMAN_MID_SENTENCE.finditer(text):
        if not SENTENCE_START.search(text[: match.start()]):
            found.append(match.group(0))
    return found


def formal_words(language: str, text: str) -> list[str]:
    if language == "de":
        return german_formal(text)
    pattern = FORMAL.get(language)
    return [m.group(0) for m in pattern.finditer(text)] if pattern else []


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_the_german_check_tells_du_from_sie():
    assert german_formal("Bitte geben Sie Ihr Passwort ein.") == ["Sie", "Ihr"]
    assert german_formal("Wir haben Ihnen eine E-Mail geschickt.") == ["Ihnen"]
    assert german_formal("Sie haben abgestimmt. Ihre Stimmen zählen.") == []  # they / their
    assert german_formal("Gib dein Passwort ein; sie wird geprüft.") == []


@pytest.mark.parametrize("language", ["es", "fr", "pt", "de"])
@pytest.mark.parametrize("domain", DOMAINS)
def test_no_translation_uses_the_formal_address(language, domain):
    offending = [
        (entry.msgid, text)
        for entry in catalogue(language, domain)
        for text in translations(entry)
        if formal_words(language, text)
    ]
    assert not offending, f"{language}: formal address in {offending[:5]}"


def test_every_allauth_string_is_in_the_catalogues():
    """members/allauth_strings.py is what keeps allauth's msgids in our catalogues."""
    from chapterhouse.members import allauth_strings

    msgids = {str(text) for text in allauth_strings.STRINGS}
    shipped = [code for code, _name in settings.LANGUAGES if code != "en"]
    for language in shipped:
        ours = {e.msgid for e in catalogue(language, "django") if e.translated()}
        missing = sorted(msgids - ours)
        assert not missing, f"{language}: allauth strings not translated: {missing[:5]}"


def test_the_allauth_strings_module_matches_the_installed_allauth():
    """After upgrading allauth, run scripts/build_allauth_strings.py (and `make messages`)."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "build_allauth_strings.py"
    spec = importlib.util.spec_from_file_location("build_allauth_strings", script)
    assert spec and spec.loader
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.build() == builder.MODULE.read_text(), f"stale: run {script.name}"


def test_allauth_login_page_says_tu_in_spanish(client, db):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in html
    # allauth's own Spanish: "Si aún no ha creado una cuenta, por favor regístrese
    # primero", "¿Ha olvidado su contraseña?".
    assert "no has creado una cuenta" in html
    assert "regístrate" in html
    assert "¿Olvidaste tu contraseña?" in html
    assert not re.search(r"\busted\b|regístrese|\bha creado\b|\bsu contraseña\b", html)
