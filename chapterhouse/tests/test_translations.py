"""Every shipped language is complete: no untranslated or fuzzy string."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

PACKAGE = Path(__file__).resolve().parents[1]
LOCALE = PACKAGE / "locale"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != "en"]
DOMAINS = ["django", "djangojs"]


def catalogue(language: str, domain: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_a_shipped_language_has_no_untranslated_or_fuzzy_string(language, domain):
    po = catalogue(language, domain)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_matches_its_source(language, domain):
    po = catalogue(language, domain)
    mo_path = LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert (entry.msgctxt, entry.msgid) in compiled, f"not compiled: {entry.msgid!r}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_in_the_code_is_in_the_catalogues(tmp_path, domain):
    """Extract the strings afresh and check none is missing from the catalogue."""
    copy = tmp_path / "chapterhouse"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo"))
    # Point LOCALE_PATHS at the copy so the shipped catalogues are never touched.
    (tmp_path / "extract_settings.py").write_text(
        "from chapterhouse.config.settings import *  # noqa\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "-d", domain,
         "--no-obsolete", "--ignore", "static/vendor/*"],
        cwd=copy, check=True, capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "extract_settings",
            "PYTHONPATH": f"{tmp_path}:{PACKAGE.parent}",
            "CHAPTERHOUSE_TESTING": "1",
            "PATH": "/usr/bin:/bin",
        },
    )
    fresh = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"))
    for language in SHIPPED:
        shipped = {(e.msgctxt, e.msgid) for e in catalogue(language, domain)}
        missing = [e.msgid for e in fresh if (e.msgctxt, e.msgid) not in shipped]
        assert not missing, (f"{language}: strings missing from the catalogue "
                             f"(run `make messages`): {missing[:10]}")


def test_six_languages_ship_one_of_them_right_to_left():
    from django.utils.translation import get_language_info

    assert {code for code, _name in settings.LANGUAGES} >= {"en", "es", "fr", "pt", "de", "ar"}
    assert [code for code, _name in settings.LANGUAGES if get_language_info(code)["bidi"]] == ["ar"]
