"""Member-written text: what is taken out of it before it is stored or shown.

The bidirectional embedding, override and isolate controls (U+202A–U+202E,
U+2066–U+2069) let a few invisible characters reverse the text around them: a title
that reads "txt.exe" as "exe.txt", a post that reorders the page's own words. They
are removed. Right-to-left languages do not need them: the browser orders Arabic or
Hebrew by itself, and every element holding member text is rendered with
`dir="auto"` (an isolate), so a right-to-left title neither takes on the page's
direction nor spills its own onto what follows. The marks U+200E and U+200F (LRM,
RLM), which only nudge neutral characters and cannot override, are kept.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """`text` without the bidirectional embedding, override and isolate controls."""
    return BIDI_CONTROLS.sub("", text)
