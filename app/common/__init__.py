"""Rules shared across domains: resident ID numbers and phone numbers.

The helpers here clean the characters that copying from a spreadsheet, a chat app or a
Chinese input method puts into a typed number. static/js/idcard.js holds the same helpers
for the browser; both sides must treat the same characters the same way.
"""

# Blanks that never belong to a number: ASCII whitespace, no-break space, zero-width space,
# ideographic (full-width) space and a byte-order mark left over from a pasted CSV cell.
BLANKS = frozenset(" \t\r\n\u00a0\u200b\u3000\ufeff")

# Full-width ASCII (U+FF01..U+FF5E) is what a Chinese IME produces in full-width mode.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def to_half_width(text: str) -> str:
    """Turn full-width digits, letters and punctuation into their ASCII forms."""
    return text.translate(_FULL_WIDTH)


def remove_chars(text: str, chars: frozenset[str]) -> str:
    return "".join(char for char in text if char not in chars)
