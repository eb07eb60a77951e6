"""Story files: parsed and checked without any UI; every problem names its step and field."""

from __future__ import annotations

import pytest

from scenes import stories

GOOD = """
title = "Test"
summary = "A summary."

[[steps]]
page = "regression"
caption = "First."
[steps.state]
reg_n = "5"
reg_losses = ["MSE", "Huber"]

[[steps]]
page = "binary"
caption = "Second, with \\"quotes\\" and a \\\\ backslash."
emphasise = "bin_margin"
[steps.state]
bin_x0 = -2
"""


def test_a_good_story_parses():
    story, problems = stories.parse(GOOD)
    assert problems == []
    assert story.title == "Test" and len(story.steps) == 2
    assert story.steps[0].state == {"reg_n": "5", "reg_losses": ["MSE", "Huber"]}
    assert story.steps[1].state == {"bin_x0": "-2"}  # numbers become the link's text
    assert story.steps[1].caption == 'Second, with "quotes" and a \\ backslash.'


def test_round_trip():
    story, _ = stories.parse(GOOD)
    again, problems = stories.parse(stories.dumps(story))
    assert problems == [] and again == story


@pytest.mark.parametrize("name", list(stories.builtin()))
def test_every_builtin_story_is_valid_and_round_trips(name):
    story = stories.builtin()[name]
    assert 4 <= len(story.steps) <= 10
    for step in story.steps:
        assert step.caption and len(step.caption.split()) <= 40, step.caption
    assert stories.parse(stories.dumps(story)) == (story, [])


def test_six_builtin_stories():
    assert len(stories.builtin()) >= 6


STEP = 'title = "x"\n[[steps]]\npage = "regression"\n'


@pytest.mark.parametrize(
    ("text", "needle"),
    [  # fmt: off
        ("not = [toml", "not valid TOML"),
        ('title = "x"', "no steps"),
        ('title = "x"\n[[steps]]\npage = "nowhere"\n', "Step 1: page must be one of"),
        (STEP + '[steps.state]\nbin_n = "3"\n', "Step 1: 'bin_n' is not"),
        (STEP + '[steps.state]\nreg_n = ["a", 3]\n', "must be text"),
        ('title = "x"\n[[steps]]\npage = "regression"\ncaption = "' + "word " * 80 + '"\n', "words"),
        ('title = "x"\n[[steps]]\npage = "regression"\ncaption = "a\\u0007b"\n', "control characters"),
        (STEP + '[steps.state]\n"reg_<script>" = "1"\n', "is not a link"),
        (STEP + '[steps.state]\nreg_p = "' + "1," * 2000 + '"\n', "at most"),
    ],
)
def test_bad_story_files_say_what_and_where(text, needle):
    story, problems = stories.parse(text)
    assert story is None
    assert any(needle in p for p in problems), problems


def test_valid_steps_still_open_beside_bad_ones():
    text = GOOD + '\n[[steps]]\npage = "nowhere"\ncaption = "x"\n'
    story, problems = stories.parse(text)
    assert len(story.steps) == 2 and problems == ["Step 3: page must be one of " + ", ".join(stories.PAGES)
                                                  + "; got 'nowhere'."]  # fmt: skip


def test_huge_and_endless_files_are_refused_or_cut():
    assert "bytes" in stories.parse(b"x" * 10_000_000)[1][0]
    many = 'title = "x"\n' + '[[steps]]\npage = "catalogue"\ncaption = "c"\n' * 1000
    story, problems = stories.parse(many)
    assert len(story.steps) == stories.MAX_STEPS and "1000 steps" in problems[0]
    assert stories.parse(b"\xff\xfe")[1] == ["The story file is not UTF-8 text."]
