"""An evidence path drawn as inline SVG: one box per step, shaped and badged by kind, arrows labelled with the relation,
the set a step went through and its condition; rows wrap, so ten steps stay legible at print width. A longer path is
drawn as its first and last steps around one box saying how many are left out (a picture per finding of a path 1,000
steps long would make a page no browser opens). A label is broken only between words (a condition cut mid-word
misleads); one that does not fit between two boxes is a note marker (`[1]`) on the arrow, with its full text under
the picture. A condition is always on its own line or its own marker: never cut, never hidden behind another label.

Every text placed here is already redacted and made printable (`audit.mapped`); it is escaped here, as XML.
Nothing is measured: widths are estimated from character counts with margins to spare.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from policylint.graph import Step
from policylint.reporters.htmltext import MAX_TEXT_STEPS, path_text

BOX_W, GAP, COLUMNS = 138, 76, 4
WIDTH = COLUMNS * BOX_W + (COLUMNS - 1) * GAP
ROW_GAP, MARGIN = 46, 8
ID_CHARS, ID_LINES, ID_LINE = 18, 4, 14  # monospace 11px: about 6.6px a character
# sans 10px between two boxes, 76px apart: the relation above the arrow (regular), how below it (italic, bold)
REL_CHARS, REL_LINES, HOW_CHARS, HOW_LINES, LABEL_LINE = 13, 3, 12, 3, 11
WRAP_CHARS = 100  # a label on the line that returns to the next row
HEAD, TAIL = 5, 6  # steps drawn of a long path: the first and last, around a box for the rest (three rows in all)
GAP_KIND = "gap"  # the kind of the box that stands for the steps left out
_WORD = re.compile(r"[^ ,=:/&|]*[ ,=:/&|]*")  # a word and the spaces or punctuation after it
BADGES = {"person": "person", "principal": "account", "group": "group", "role": "role", "credential": "credential",
          "key": "key", "resource": "resource"}
_BREAK = re.compile(r"[^/:#.\-_ ,@|]*[/:#.\-_ ,@|]?")


@dataclass(frozen=True, slots=True)
class Box:
    step: Step
    x: int
    y: int
    height: int
    lines: tuple[str, ...]
    badge: str
    mark: str  # "left", "customer" or ""


def wrap(text: str, width: int, most: int) -> tuple[str, ...]:
    """Lines of at most `width` characters, broken after separators where it can; past `most` lines the middle is
    left out (`…`), as an id's start and end say the most."""
    lines: list[str] = []
    current = ""
    for token in (t for t in _BREAK.findall(text) if t):
        while len(token) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(token[:width])
            token = token[width:]
        if len(current) + len(token) > width:
            lines.append(current)
            current = ""
        current += token
    if current or not lines:
        lines.append(current)
    if len(lines) > most:
        tail = text[-(width - 1):]
        lines = [*lines[: most - 1], "…" + tail]
    return tuple(line.strip() or line for line in lines)


def fit(text: str, width: int, most: int) -> tuple[str, ...] | None:
    """Lines of at most `width` characters broken only after a space or punctuation; None when a word is longer, or
    when it takes more than `most` lines (the text then goes in a note)."""
    lines = [""]
    for word in (w for w in _WORD.findall(text) if w):
        if len(word.rstrip()) > width:
            return None
        if len((lines[-1] + word).rstrip()) > width:
            lines.append("")
        lines[-1] += word
    stripped = tuple(line.strip() for line in lines)
    return stripped if len(stripped) <= most else None


def draw(path: Sequence[Step], left: Collection[str], customer: Collection[str]) -> str:
    """The path as an `<svg>`, followed by the notes of the labels too long to be drawn; `left`: people who left,
    `customer`: customer-data stores (both marked)."""
    boxes = _layout(drawn(path), left, customer)
    if not boxes:
        return ""
    height = max(b.y + b.height for b in boxes) + MARGIN
    notes: list[str] = []
    parts = [_box(b) for b in boxes]
    parts += [_arrow(a, b, notes) for a, b in pairwise(boxes)]
    title = escape(path_text(path, HEAD, TAIL))
    listed = "".join(f"<li>[{n}] {escape(note)}</li>" for n, note in enumerate(notes, start=1))
    return (f'<svg class="path" viewBox="0 0 {WIDTH + 2 * MARGIN} {height}" width="{WIDTH + 2 * MARGIN}" '
            f'role="img" xmlns="http://www.w3.org/2000/svg">'
            f'<title>{title}</title>{"".join(parts)}</svg>'
            + (f'<ol class="edge-notes">{listed}</ol>' if notes else ""))


def drawn(path: Sequence[Step]) -> Sequence[Step]:
    """The steps a picture shows: all of a path of at most HEAD + 1 + TAIL steps; of a longer one the first HEAD and
    the last TAIL around a GAP_KIND step whose node says how many are left out and where they are."""
    if len(path) <= HEAD + 1 + TAIL:
        return path
    left_out = len(path) - HEAD - TAIL
    where = ("the full path is", "in the text below") if len(path) <= MAX_TEXT_STEPS else ("every step:",
                                                                                          "--format json")
    gap = Step("\n".join((f"… {left_out:,} more", "steps …", *where)), GAP_KIND)
    return (*path[:HEAD], gap, *path[-TAIL:])


def _layout(path: Sequence[Step], left: Collection[str], customer: Collection[str]) -> list[Box]:
    boxes: list[Box] = []
    top = MARGIN + 2
    for start in range(0, len(path), COLUMNS):
        row = path[start:start + COLUMNS]
        wrapped = [tuple(step.node.split("\n")) if step.kind == GAP_KIND else wrap(step.node, ID_CHARS, ID_LINES)
                   for step in row]
        height = max(40 + ID_LINE * len(lines) for lines in wrapped)
        for column, (step, lines) in enumerate(zip(row, wrapped, strict=True)):
            mark = _mark(step, left, customer)
            boxes.append(Box(step, MARGIN + column * (BOX_W + GAP), top, height, lines, _badge(step, mark), mark))
        top += height + ROW_GAP
    return boxes


def _mark(step: Step, left: Collection[str], customer: Collection[str]) -> str:
    if step.kind == "person" and step.node in left:
        return "left"
    if step.kind == "resource" and step.node in customer:
        return "customer"
    return ""


def _badge(step: Step, mark: str) -> str:
    if mark == "left":
        return "person · left"
    if mark == "customer":
        return "customer data"
    return BADGES.get(step.kind, step.kind)


def _box(box: Box) -> str:
    if box.step.kind == GAP_KIND:
        return _gap(box)
    x, y, w, h = box.x, box.y, BOX_W, box.height
    kind = box.step.kind if box.step.kind in BADGES else "resource"
    cls = f"node k-{kind}" + (f" m-{box.mark}" if box.mark else "")
    middle = x + w // 2
    lowered = 6 if kind == "resource" else 0  # below the cylinder's top
    first = y + 34 + lowered + (h - 40 - ID_LINE * len(box.lines)) // 2
    text = "".join(f'<tspan x="{middle}" y="{first + number * ID_LINE}">{escape(line)}</tspan>'
                   for number, line in enumerate(box.lines))
    return (f'<g class="{cls}"><title>{escape(box.step.node)} ({escape(BADGES.get(kind, kind))})</title>'
            f'{_shape(kind, x, y, w, h)}'
            f'<text class="badge" x="{middle}" y="{y + 17 + lowered}">{escape(box.badge.upper())}</text>'
            f'<text class="id" x="{middle}">{text}</text></g>')


def _gap(box: Box) -> str:
    """The steps left out of a long path: a dashed box saying how many, and where every step is."""
    middle = box.x + BOX_W // 2
    first = box.y + 6 + (box.height - ID_LINE * len(box.lines)) // 2 + ID_LINE // 2
    text = "".join(f'<tspan x="{middle}" y="{first + number * ID_LINE}">{escape(line)}</tspan>'
                   for number, line in enumerate(box.lines))
    return (f'<g class="node k-gap"><title>{escape(" ".join(box.lines))}</title>'
            f'<rect class="shape" x="{box.x}" y="{box.y}" width="{BOX_W}" height="{box.height}" rx="6"/>'
            f'<text class="gap-text">{text}</text></g>')


def _shape(kind: str, x: int, y: int, w: int, h: int) -> str:
    """Not colour alone: each kind has its own outline (and its badge), for print and colour-blind readers."""
    if kind == "person":
        return f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="18"/>'
    if kind == "group":
        return (f'<rect class="shape back" x="{x + 4}" y="{y - 4}" width="{w}" height="{h}" rx="4"/>'
                f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="4"/>')
    if kind == "role":
        return _polygon((x + 12, y), (x + w - 12, y), (x + w, y + h // 2), (x + w - 12, y + h), (x + 12, y + h),
                        (x, y + h // 2))
    if kind == "credential":
        return (_polygon((x, y), (x + w - 14, y), (x + w, y + 14), (x + w, y + h), (x, y + h))
                + f'<path class="fold" d="M{x + w - 14},{y} v14 h14"/>')
    if kind == "key":
        return _polygon((x + 14, y), (x + w, y), (x + w, y + h), (x + 14, y + h), (x, y + h // 2)) + (
            f'<circle class="fold" cx="{x + 7}" cy="{y + h // 2}" r="3"/>')
    if kind == "resource":
        e = 8
        return (f'<path class="shape" d="M{x},{y + e} a{w // 2},{e} 0 0 1 {w},0 v{h - 2 * e} '
                f'a{w // 2},{e} 0 0 1 {-w},0 z"/>'
                f'<path class="fold" d="M{x},{y + e} a{w // 2},{e} 0 0 0 {w},0"/>')
    return f'<rect class="shape" x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>'


def _polygon(*points: tuple[int, int]) -> str:
    return f'<polygon class="shape" points="{" ".join(f"{x},{y}" for x, y in points)}"/>'


def _arrow(a: Box, b: Box, notes: list[str]) -> str:
    """Within a row: a straight arrow, the relation above it and how below it. Between rows: down, back to the
    first column and down again, the label on the returning line and a condition on its own line under it. What does
    not fit is a note (`notes`); into the box of the steps left out, a dashed arrow with no label."""
    if b.step.kind == GAP_KIND:
        return _gap_arrow(a, b)
    if b.y == a.y:
        return _row_arrow(a, b, notes)
    step = b.step
    x1, y1 = a.x + BOX_W // 2, a.y + a.height + 2
    x2, y2 = b.x + BOX_W // 2, b.y - 4
    turn = y1 + (y2 - y1) // 2
    words = " ".join(part for part in (step.label, _through(step)) if part)
    shown = words if len(words) <= WRAP_CHARS else _note(notes, step, words)
    lines = [(shown, "rel")] if shown else []
    if step.condition:
        condition = f"if {step.condition}"
        lines.append((condition if len(condition) <= WRAP_CHARS else _note(notes, step, condition), "cond"))
    middle = (x1 + x2) // 2
    width = int(max((len(text) for text, _ in lines), default=0) * 5.6) + 12
    top, height, first = (turn - 8, 16, turn + 4) if len(lines) < 2 else (turn - 11, 24, turn - 2)
    texts = "".join(_label(middle, first + 12 * number, text, cls) for number, (text, cls) in enumerate(lines))
    halo = (f'<rect class="halo" x="{middle - width // 2}" y="{top}" width="{width}" height="{height}" rx="3"/>'
            if lines else "")
    return (f'<g class="edge"><title>{escape(_words(step))}</title>'
            f'<polyline points="{x1},{y1} {x1},{turn} {x2},{turn} {x2},{y2 - 6}"/>{_head(x2, y2, "down")}'
            f"{halo}{texts}</g>")


def _row_arrow(a: Box, b: Box, notes: list[str]) -> str:
    """The relation above the arrow; below it, the set it went through and its condition, each on lines of its own
    or, when they do not fit together, as a note marker (the set's first: a condition stays in sight longest)."""
    step = b.step
    y = a.y + a.height // 2
    x1, x2 = a.x + BOX_W + 3, b.x - 4
    middle = (x1 + x2) // 2
    above = fit(step.label, REL_CHARS, REL_LINES) or (_note(notes, step, step.label),)
    parts = [(text, cls) for text, cls in ((_through(step), "via"), (_condition(step), "cond")) if text]
    fitted = [(fit(text, HOW_CHARS, HOW_LINES), text, cls) for text, cls in parts]
    while sum(len(lines) if lines else 1 for lines, _, _ in fitted) > HOW_LINES:
        number = next(n for n, (lines, _, _) in enumerate(fitted) if lines is not None)
        fitted[number] = (None, *fitted[number][1:])
    below = [(line, cls) for lines, text, cls in fitted for line in (lines or (_note(notes, step, text),))]
    texts = [_label(middle, y - 6 - (len(above) - 1 - n) * LABEL_LINE, line, "rel") for n, line in enumerate(above)]
    texts += [_label(middle, y + 13 + n * LABEL_LINE, line, cls) for n, (line, cls) in enumerate(below)]
    return (f'<g class="edge"><title>{escape(_words(step))}</title>'
            f'<line x1="{x1}" y1="{y}" x2="{x2 - 6}" y2="{y}"/>{_head(x2, y, "right")}{"".join(texts)}</g>')


def _gap_arrow(a: Box, b: Box) -> str:
    if b.y == a.y:
        y = a.y + a.height // 2
        x1, x2 = a.x + BOX_W + 3, b.x - 4
        return f'<g class="edge gap"><line x1="{x1}" y1="{y}" x2="{x2 - 6}" y2="{y}"/>{_head(x2, y, "right")}</g>'
    x1, y1 = a.x + BOX_W // 2, a.y + a.height + 2
    x2, y2 = b.x + BOX_W // 2, b.y - 4
    turn = y1 + (y2 - y1) // 2
    return (f'<g class="edge gap"><polyline points="{x1},{y1} {x1},{turn} {x2},{turn} {x2},{y2 - 6}"/>'
            f'{_head(x2, y2, "down")}</g>')


def _note(notes: list[str], step: Step, text: str) -> str:
    """A label too long for its place: a numbered note under the picture says it whole, with the step it is on."""
    notes.append(f"{text} (the step to {step.node})")
    first = text.split(" ")[0]
    return f"{first} [{len(notes)}]" if first in ("if", "via") else f"[{len(notes)}]"


def _through(step: Step) -> str:
    return f"via {step.through}" if step.through else ""


def _condition(step: Step) -> str:
    return f"if {step.condition}" if step.condition else ""


def _words(step: Step) -> str:
    return " ".join(part for part in (step.label, _through(step), _condition(step)) if part)


def _label(x: int, y: int, text: str, cls: str) -> str:
    return f'<text class="{cls}" x="{x}" y="{y}">{escape(text)}</text>'


def _head(x: int, y: int, direction: str) -> str:
    if direction == "right":
        return f'<polygon class="head" points="{x},{y} {x - 8},{y - 4} {x - 8},{y + 4}"/>'
    return f'<polygon class="head" points="{x},{y} {x - 4},{y - 8} {x + 4},{y - 8}"/>'


def legend() -> str:
    """Each kind's outline and badge as drawn, and the two marks, for the reader of a printed page."""
    entries = [(kind, "", BADGES[kind]) for kind in BADGES] + [("person", "left", "person who has left"),
                                                               ("resource", "customer", "customer data")]
    parts = []
    for kind, mark, label in entries:
        cls = f"node k-{kind}" + (f" m-{mark}" if mark else "")
        parts.append(f'<span><svg class="path" width="34" height="22" viewBox="-2 -6 40 30" aria-hidden="true">'
                     f'<g class="{cls}">{_shape(kind, 0, 0, 34, 20)}</g></svg> {escape(label)}</span>')
    return "".join(parts)
