"""Differences between two versions of a section's text, as escaped HTML with
<ins> and <del> (word by word, keeping line breaks)."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_TOKENS = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.replace("\r\n", "\n"))


def diff_html(before: str, after: str) -> SafeString:
    """`after` against `before`: removed words in <del>, added ones in <ins>, the rest
    as is; every piece of the texts HTML-escaped."""
    old, new = _tokens(before), _tokens(after)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def changed(before: str, after: str) -> bool:
    return before.replace("\r\n", "\n").strip() != after.replace("\r\n", "\n").strip()
