"""Names of human languages, for "languages I speak" (not the interface languages).

The list is Django's LANG_INFO (about ninety languages with their local names)
plus the interface languages in settings.LANGUAGES; regional variants are left
out except the two written forms of Chinese.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext

from chapterhouse.lib.collation import sorted_by_name

_KEEP_VARIANTS = {"zh-hans", "zh-hant"}


def spoken_language_codes() -> list[str]:
    codes = {code for code, info in LANG_INFO.items()
             if "name" in info and ("-" not in code or code in _KEEP_VARIANTS)}
    codes.update(code for code, _name in settings.LANGUAGES)
    return sorted(codes)


def language_name(code: str) -> str:
    """The language's name in the active interface language, or the code if unknown."""
    info = LANG_INFO.get(code)
    if info is None or "name" not in info:
        for lang_code, name in settings.LANGUAGES:
            if lang_code == code:
                return str(name)
        return code
    return gettext(info["name"])


def language_choices() -> list[tuple[str, str]]:
    """(code, "Name (local name)") pairs sorted by name in the active language."""
    choices = []
    for code in spoken_language_codes():
        name = language_name(code)
        local = LANG_INFO.get(code, {}).get("name_local", "")
        label = f"{name} ({local})" if local and local != name else name
        choices.append((code, label))
    return sorted_by_name(choices, lambda choice: choice[1])
