"""Why a member is on a roll with their weight, in the reader's language.

A roll entry's reason is stored as a code, the same in every language, so that the
roll's hash does not depend on who froze it (selectors.default_reason and friends):
"@member:<chapter url_path>", "@group:<chapter url_path>:<the author's reason>" and
"@stake:<the member's reason>". Rolls frozen before codes hold English sentences
("member of Hackney"); they are shown as they were written, and their hashes stay
verifiable because nothing rewrites them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter

MEMBER, GROUP, STAKE = "@member:", "@group:", "@stake:"


def _path_of(code: str) -> str | None:
    if code.startswith(MEMBER):
        return code[len(MEMBER):]
    if code.startswith(GROUP):
        return code[len(GROUP):].split(":", 1)[0]
    return None


def reason_texts(codes: Iterable[str]) -> dict[str, str]:
    """Each reason code as a sentence in the active language (one query for the
    chapters they name, whatever their number)."""
    codes = set(codes)
    paths = {p for p in map(_path_of, codes) if p is not None}
    names = {c.url_path: c.display_name()
             for c in Chapter.objects.filter(url_path__in=paths)} if paths else {}

    def name(path: str) -> str:
        return names.get(path) or path or _("International")

    texts: dict[str, str] = {}
    for code in codes:
        if code.startswith(MEMBER):
            texts[code] = _("member of %(chapter)s") % {"chapter": name(code[len(MEMBER):])}
        elif code.startswith(GROUP):
            path, _sep, reason = code[len(GROUP):].partition(":")
            texts[code] = _("%(chapter)s: %(reason)s") % {"chapter": name(path), "reason": reason}
        elif code.startswith(STAKE):
            texts[code] = _("declared: %(reason)s") % {"reason": code[len(STAKE):]}
        else:
            texts[code] = code  # written before reasons were codes
    return texts


def reason_text(code: str) -> str:
    return reason_texts([code])[code]
