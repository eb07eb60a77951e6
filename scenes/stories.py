"""Stories for a lecture: a title, a one-line summary and steps; each step a page, that page's link state
(the same query parameters a link uses), a short caption and, optionally, the chart to look at.

A story is a TOML file (``stories/*.toml`` are bundled; a lecturer's own can be uploaded)::

    title = "One outlier"
    summary = "L2 chases a far point, L1 ignores it, Huber sits between."

    [[steps]]
    page = "regression"
    caption = "Targets near 1 and one prediction at **10**."
    emphasise = "reg_shares"
    [steps.state]
    reg_scene = "classic"
    reg_p = "1,1,1,1,10,1,1,1"
    reg_losses = ["MSE", "MAE", "Huber"]

Everything here is pure and checked: ``parse`` turns text into a ``Story`` and the problems it found,
each naming the step and the field, and keeps every step that is usable; ``dumps`` writes a story back
(``parse(dumps(s))`` gives ``s`` again). Captions are plain text (shown inert, never as HTML).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

#: The pages a step can open (their url_path) and the prefix of their link names (ui.kit.Page).
PAGES = {
    "regression": "reg",
    "binary": "bin",
    "multiclass": "mc",
    "learn": "learn",
    "custom": "cust",
    "catalogue": "cat",
}
MAX_BYTES = 200_000
MAX_STEPS = 50
MAX_CAPTION_WORDS = 60  # about 40 is the aim; a little slack before a caption is refused
MAX_CAPTION_CHARS = 500
MAX_VALUE_CHARS = 2_000
MAX_TITLE_CHARS = 120
STORIES_DIR = Path(__file__).resolve().parents[1] / "stories"


@dataclass(frozen=True)
class Step:
    page: str
    state: dict[str, str | list[str]]
    caption: str
    emphasise: str = ""


@dataclass(frozen=True)
class Story:
    title: str
    summary: str
    steps: tuple[Step, ...] = field(default_factory=tuple)


def _text(value: object, where: str, limit: int, problems: list[str]) -> str | None:
    if not isinstance(value, str):
        problems.append(f"{where} must be text; got {type(value).__name__}.")
        return None
    if len(value) > limit:
        problems.append(f"{where} is {len(value):,} characters; at most {limit:,} are allowed.")
        return None
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        problems.append(f"{where} contains control characters.")
        return None
    return value


def _state(raw: object, page: str, where: str, problems: list[str]) -> dict[str, str | list[str]] | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: state must be a table of link parameters; got {type(raw).__name__}.")
        return None
    prefix = PAGES[page] + "_"
    out: dict[str, str | list[str]] = {}
    for key, value in raw.items():
        if not (key.startswith(prefix) and key[len(prefix):].replace("_", "").isalnum() and len(key) <= 40):
            problems.append(f"{where}: {key!r} is not a link parameter of the {page} page (they start with "
                            f"{prefix!r}).")  # fmt: skip
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = f"{value:g}" if isinstance(value, float) else str(value)
        if isinstance(value, bool):
            value = "true" if value else "false"
        values = value if isinstance(value, list) else [value]
        for v in values:
            if _text(v, f"{where}, {key}", MAX_VALUE_CHARS, problems) is None:
                return None
        out[key] = list(values) if isinstance(value, list) else value
    return out


def _step(raw: object, i: int, problems: list[str]) -> Step | None:
    where = f"Step {i}"
    if not isinstance(raw, dict):
        problems.append(f"{where} must be a table ([[steps]]).")
        return None
    page = raw.get("page")
    if page not in PAGES:
        problems.append(f"{where}: page must be one of {', '.join(PAGES)}; got {str(page)[:40]!r}.")
        return None
    caption = _text(raw.get("caption", ""), f"{where}, caption", MAX_CAPTION_CHARS, problems)
    if caption is None:
        return None
    if len(caption.split()) > MAX_CAPTION_WORDS:
        problems.append(f"{where}, caption: {len(caption.split())} words; keep it under {MAX_CAPTION_WORDS}.")
        return None
    emphasise = _text(raw.get("emphasise", ""), f"{where}, emphasise", 60, problems)
    if emphasise and not emphasise.replace("_", "").isalnum():  # a key: it is written into the page's CSS
        problems.append(f"{where}, emphasise: a chart's key (letters, digits and _); got {emphasise[:40]!r}.")
        return None
    state = _state(raw.get("state", {}), page, where, problems)
    if state is None or emphasise is None:
        return None
    return Step(page, state, caption, emphasise)


def parse(text: str | bytes) -> tuple[Story | None, list[str]]:
    """A story and the problems found (each naming its step and field); None when nothing is usable."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return None, [f"The story file is {len(text):,} bytes; at most {MAX_BYTES:,} are allowed."]
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None, ["The story file is not UTF-8 text."]
    if len(text) > MAX_BYTES:
        return None, [f"The story file is {len(text):,} characters; at most {MAX_BYTES:,} are allowed."]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [f"The story file is not valid TOML: {exc}."]
    problems: list[str] = []
    title = _text(raw.get("title", ""), "The title", MAX_TITLE_CHARS, problems) or "Untitled story"
    summary = _text(raw.get("summary", ""), "The summary", 300, problems) or ""
    steps_raw = raw.get("steps", [])
    if not isinstance(steps_raw, list) or not steps_raw:
        return None, [*problems, "The story has no steps ([[steps]] tables)."]
    if len(steps_raw) > MAX_STEPS:
        problems.append(f"The story has {len(steps_raw)} steps; only the first {MAX_STEPS} are used.")
        steps_raw = steps_raw[:MAX_STEPS]
    steps = [s for i, raw_step in enumerate(steps_raw, 1) if (s := _step(raw_step, i, problems)) is not None]
    if not steps:
        return None, problems
    return Story(title.strip() or "Untitled story", summary.strip(), tuple(steps)), problems


def _toml_string(s: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'


def dumps(story: Story) -> str:
    """The story as TOML text that ``parse`` reads back to the same story."""
    lines = [f"title = {_toml_string(story.title)}", f"summary = {_toml_string(story.summary)}"]
    for step in story.steps:
        lines += ["", "[[steps]]", f"page = {_toml_string(step.page)}"]
        lines.append(f"caption = {_toml_string(step.caption)}")
        if step.emphasise:
            lines.append(f"emphasise = {_toml_string(step.emphasise)}")
        lines.append("[steps.state]")
        for key, value in step.state.items():
            if isinstance(value, list):
                shown = "[" + ", ".join(map(_toml_string, value)) + "]"
            else:
                shown = _toml_string(value)
            lines.append(f"{key} = {shown}")
    return "\n".join(lines) + "\n"


def builtin() -> dict[str, Story]:
    """The bundled stories, by file name (without .toml), in file-name order."""
    out = {}
    for path in sorted(STORIES_DIR.glob("*.toml")):
        story, problems = parse(path.read_bytes())
        if story is None or problems:
            raise ValueError(f"bundled story {path.name} is broken: {problems}")
        out[path.stem] = story
    return out
