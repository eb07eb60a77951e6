"""Text from a URL or a user's file, made safe to show in Streamlit's Markdown (warnings, captions)."""

from __future__ import annotations

import re

#: U+2060 WORD JOINER: invisible, and not a character a GFM autolink literal (http://, www., an email) may
#: contain, so one placed inside such a literal leaves it plain text.
_JOIN = "\u2060"
#: Where GFM turns text into a link after the Markdown is parsed (escapes do not stop it): a scheme's "://",
#: a "www." and an email's "@" (escaped, as ``plain`` writes them).
_AUTOLINK = re.compile(r"(\\:)(?=\\/\\/)|(?i:(www)(?=\\\.))|(\\@)")


def plain(text: object) -> str:
    """The text with every ASCII punctuation mark escaped: no links, images, colours or emphasis survive;
    and a word joiner inside each "://", "www." and "@", so no bare URL or email becomes a link either."""
    escaped = re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: m.group(0) + _JOIN, escaped)


def quote(text: object, limit: int = 40) -> str:
    """A short, inert quotation of untrusted text for a message: “…”, clipped to ``limit`` characters."""
    s = str(text)
    return "“" + plain(s if len(s) <= limit else s[: limit - 1] + "…") + "”"
