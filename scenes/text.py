"""Text from a URL or a user's file, made safe to show in Streamlit's Markdown (warnings, captions)."""

from __future__ import annotations

import re


def plain(text: object) -> str:
    """The text with every ASCII punctuation mark escaped: no links, images, colours or emphasis survive."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(text))


def quote(text: object, limit: int = 40) -> str:
    """A short, inert quotation of untrusted text for a message: “…”, clipped to ``limit`` characters."""
    s = str(text)
    return "“" + plain(s if len(s) <= limit else s[: limit - 1] + "…") + "”"
