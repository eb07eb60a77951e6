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
