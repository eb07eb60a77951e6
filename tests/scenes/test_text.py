"""Untrusted text (URLs, users' files) is shown inert: no Markdown link, image or colour survives."""

from scenes.text import plain, quote
from tests.app.helpers import open_page


def test_plain_escapes_every_markdown_construct():
    for text in ("[login](https://example.com)", "![x](https://e.com/x.png)", ":red[**alert**]", "<b>x</b>",
                 "`code`", "# heading", "a_b*c~d"):  # fmt: skip
        escaped = plain(text)
        assert all(escaped[i - 1] == "\\" for i, ch in enumerate(escaped) if ch in "[]()!*:`#_~<>" and i > 0)
    # the exact text: each mark escaped once, letters and spaces left alone (the Score page's messages)
    assert plain("**b** :red[x] <i>") == r"\*\*b\*\* \:red\[x\] \<i\>"


def test_quote_clips_long_text():
    assert quote("x" * 100) == "“" + "x" * 39 + "…”"


def test_a_link_in_the_url_is_not_rendered_as_a_link_in_the_warning():
    at = open_page("views/binary.py", {"bin_losses": "[login](https://example.com)"})
    assert at.warning and r"\[login\]\(https" in at.warning[0].value


# -- issue 15: GFM autolink literals (http://, https://, www., emails) are not links either ----------------
HOSTILE_LINKS = ["https://evil.example/login", "http://x.y", "HTTPS://EVIL.EXAMPLE", "www.evil.example",
                 "WWW.Evil.example/x", "admin@evil.example", "mailto:a@b.co", "xmpp:a@b.co",
                 "see https://a.b/c?d=e&f=g, then www.c.d", "ftp://files.example"]  # fmt: skip


def test_plain_breaks_every_autolink_literal():
    import re

    for text in HOSTILE_LINKS:
        shown = plain(text)
        unescaped = re.sub(r"\\(.)", r"\1", shown)  # what Markdown turns the escapes back into
        assert "://" not in unescaped and not re.search(r"www\.", unescaped, re.I), shown
        assert not re.search(r"[\w.+-]@[\w-]", unescaped), shown
        assert unescaped.replace("\u2060", "") == text  # only an invisible word joiner is added
