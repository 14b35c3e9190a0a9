"""Length-preserving normalisation of customer text before matching.

Customers paste numbers out of banking apps, PDFs and phone keyboards, so the same IBAN arrives
with no-break spaces (U+00A0), narrow no-break spaces (U+202F, French typography), Unicode dashes
or full-width digits. Matching every variant in every regular expression would be slow and easy
to get wrong, so the text is rewritten once into a plain-ASCII-separator form.

Every replacement maps exactly one character to exactly one character. That is the whole point:
offsets found in the normalised text are valid offsets in the original text, with no offset map
to maintain. NFKC is deliberately not used because it can change the length of the string
(ligatures, "¼", "ǅ"…), which would silently shift every offset after the first such character.
"""

from __future__ import annotations

import re
from typing import Final

_SPACE: Final = " "
_DASH: Final = "-"
_APOSTROPHE: Final = "'"

# Horizontal spaces that appear inside numbers copied from apps and word processors, plus the
# zero-width characters that some keyboards insert (mapped to a space rather than removed, so the
# length is kept).
_SPACE_CODEPOINTS: Final = (
    0x00A0,  # no-break space
    0x1680,  # ogham space mark
    *range(0x2000, 0x200C),  # en quad … zero-width space
    0x202F,  # narrow no-break space (French thousands separator)
    0x205F,  # medium mathematical space
    0x2060,  # word joiner
    0x3000,  # ideographic space
    0xFEFF,  # zero-width no-break space / BOM
)
_DASH_CODEPOINTS: Final = (
    0x00AD,  # soft hyphen
    *range(0x2010, 0x2016),  # hyphen … horizontal bar
    0x2212,  # minus sign
    0xFE58,  # small em dash
    0xFE63,  # small hyphen-minus
)
_APOSTROPHE_CODEPOINTS: Final = (0x2018, 0x2019, 0x02BC, 0x2032)


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    table.update(dict.fromkeys(_SPACE_CODEPOINTS, _SPACE))
    table.update(dict.fromkeys(_DASH_CODEPOINTS, _DASH))
    table.update(dict.fromkeys(_APOSTROPHE_CODEPOINTS, _APOSTROPHE))
    # Full-width ASCII variants (U+FF01 to U+FF5E) sit at a fixed distance from ASCII; phone
    # keyboards in some locales produce them for digits, "@" and "+".
    for codepoint in range(0xFF01, 0xFF5F):
        table[codepoint] = chr(codepoint - 0xFEE0)
    table[0xFF0D] = _DASH
    return table


_TABLE: Final = _build_table()
# A cheap test that avoids ``str.translate`` (a per-character dictionary lookup) for the large
# majority of messages, which contain none of these characters.
_NEEDS_WORK: Final = re.compile(
    "[" + "".join(re.escape(chr(codepoint)) for codepoint in sorted(_TABLE)) + "]"
)


def normalise(text: str) -> str:
    """Return ``text`` with separators, apostrophes and full-width forms made ASCII.

    The result always has the same length as ``text`` and each character stays at its index.
    """
    # Every character rewritten is outside ASCII: a pure-ASCII text (``isascii`` reads a flag of
    # the string, it does not scan it) has nothing to rewrite.
    if text.isascii() or _NEEDS_WORK.search(text) is None:
        return text
    return text.translate(_TABLE)
