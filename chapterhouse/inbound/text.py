"""The reply a member wrote, out of the email their mail program sent: its text part (or
its HTML part made text), without the quoted message and without the signature.

Why our own and not a library: the maintained one on PyPI (mail-parser-reply 1.36) was
tried on the patterns below and kept "-- " signatures, Spanish "El … escribió:" headers
(its pattern wants two spaces), quoted "> " lines and mobile signatures, has no
Portuguese, and strips every line's leading spaces (the member's Markdown code blocks
and nested lists). email-reply-parser (2020) knows English only.

What is cut, from the first of these to the end:
- an attribution line, on up to three lines as mail programs wrap it:
  "On … wrote:", "El … escribió:", "Le … a écrit :", "Am … schrieb …:",
  "Em … escreveu:", "Op … schreef …:", "Il … ha scritto:", "في … كتب:";
- a forwarded or original message separator ("-----Original Message-----", its
  translations, Outlook's line of underscores);
- an Outlook header block: "From:" (De:, Von:, …) followed by "Sent:" or "Date:"
  (Enviado:, Envoyé :, Gesendet:, Datum:, …) within the next lines;
- a signature: the "-- " line (RFC 3676), or a mobile one ("Sent from my iPhone",
  "Enviado desde mi …", "Envoyé de mon …", "Von meinem … gesendet", "Enviado do meu …",
  "Get Outlook for …");
- and "> " lines at the end (the quote of a top-posted reply without attribution).

A reply written below the quote (bottom-posting) keeps what follows it; "> " lines in
the middle of a reply stay, as Markdown quotes, since they give the answers their
context.
"""

from __future__ import annotations

import re
from email.message import Message
from html.parser import HTMLParser

_STARTERS = r"(?:On|El|Le|Am|Em|Op|Il|Den|W dniu|في)"
_VERBS = (r"(?:wrote|writes|escribió|escribio|a\s+écrit|a\s+ecrit|schrieb|escreveu|"
          r"schreef|ha\s+scritto|skrev|napisał|كتب)")
_ATTRIBUTION = re.compile(
    rf"^\s*(?:>\s*)?{_STARTERS}\s.{{0,400}}?{_VERBS}\b[^\n]{{0,200}}:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Forwarded message|Mensaje original|"
    r"Mensaje reenviado|Message d'origine|Message transféré|Ursprüngliche Nachricht|"
    r"Weitergeleitete Nachricht|Mensagem original|Mensagem encaminhada|"
    r"الرسالة الأصلية)\s*-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)
_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Van|Da|من)\s?:\*?\s", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Enviado|Enviada|Fecha|Envoyé|Date d'envoi|Gesendet|Datum|"
    r"Data|Verzonden|Inviato|أرسل|التاريخ)\s?:\*?\s",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:Sent from my |Sent from (?:Mail|Outlook) for |Get Outlook for |"
    r"Enviado desde mi |Enviado do meu |Envoyé de mon |Envoyé depuis mon |"
    r"Von meinem .{1,40} gesendet|Gesendet von meinem |أرسلت من )",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")


def reply_text(text: str) -> str:
    """What the member wrote in a plain-text reply (see the module's docstring)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n")
             .split("\n")]
    lines = _without_quoted_message(lines)
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) or _MOBILE.match(line):
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _QUOTED.match(lines[-1])):
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines)


def _without_quoted_message(lines: list[str]) -> list[str]:
    """The lines above the first quoted-message boundary; for a reply written below the
    quote, the lines after it (the boundary and its quote dropped)."""
    index = 0
    while index < len(lines):
        end = _boundary_end(lines, index)
        if end is None:
            index += 1
            continue
        if any(line.strip() for line in lines[:index]):
            return lines[:index]
        # Nothing above: the member answered below the quote.
        while end < len(lines) and (not lines[end].strip() or _QUOTED.match(lines[end])):
            end += 1
        lines = lines[end:]
        index = 0
    return lines


def _boundary_end(lines: list[str], index: int) -> int | None:
    """If a quoted-message boundary starts at lines[index], the index after it."""
    line = lines[index]
    if not line.strip():
        return None
    if _SEPARATOR.match(line):
        return index + 1
    if _FROM.match(line):
        for ahead in range(index + 1, min(index + 5, len(lines))):
            if _SENT.match(lines[ahead]):
                return index + 1
    for size in (1, 2, 3):
        if index + size > len(lines):
            break
        joined = " ".join(part.strip() for part in lines[index:index + size])
        # A date or a time in it: "On Monday I wrote:" is the member's own sentence.
        if _ATTRIBUTION.match(joined) and re.search(r"\d", joined):
            return index + size
    return None


# -- Taking the text out of a MIME message ---------------------------------------------


def message_text(message: Message) -> str:
    """The text of `message`: its first text/plain part that is not an attachment,
    else its first text/html part made text (html_text), else ""."""
    plain = html = None
    for part in message.walk():
        if part.is_multipart():
            continue
        if (part.get_content_disposition() or "") == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decoded(part)
        elif kind == "text/html" and html is None:
            html = _decoded(part)
    if plain is not None and plain.strip():
        return plain
    if html is not None:
        return html_text(html)
    return plain or ""


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


# Elements whose content is never the member's text: the quote, the signature, the
# attribution line of the mail programs that mark them.
_SKIPPED_TAGS = {"blockquote", "style", "script", "head", "title"}
_SKIPPED_CLASSES = {"gmail_quote", "gmail_signature", "gmail_attr", "moz-cite-prefix",
                    "moz-signature", "yahoo_quoted", "protonmail_quote",
                    "protonmail_signature_block"}
# Outlook puts the quoted message after an element with one of these ids.
_QUOTE_FOLLOWS_IDS = {"divrplyfwdmsg", "appendonsend", "stopspelling"}
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
               "pre", "table", "ul", "ol"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed",
              "source", "track", "wbr"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the tags whose content is being skipped
        self.stopped = False
        self.preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        values = dict(attrs)
        if (values.get("id") or "").lower() in _QUOTE_FOLLOWS_IDS:
            self.stopped = True
            return
        if tag in _VOID_TAGS:
            if not self.skipping and tag in _BLOCK_TAGS:
                self.parts.append("\n")
            return
        classes = set((values.get("class") or "").lower().split())
        if self.skipping or tag in _SKIPPED_TAGS or classes & _SKIPPED_CLASSES:
            self.skipping.append(tag)
            return
        if tag == "pre":
            self.preformatted += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if self.stopped or tag in _VOID_TAGS:
            return
        if self.skipping:
            if tag in self.skipping:  # closing it closes what was left open inside
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag):]
            return
        if tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.stopped or self.skipping:
            return
        if not self.preformatted:
            data = re.sub(r"\s+", " ", data)
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML email, without the parts mail programs mark as quoted or as a
    signature; paragraphs and line breaks kept as lines."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [line.strip() if not line.startswith("    ") else line.rstrip()
             for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
