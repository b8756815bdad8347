"""What rendering Markdown costs on hostile input: a corpus of known pathological shapes, each at
the longest length the limits allow (a comment, a post body), timed through the function the
services call (`cms.rendering.render_markdown`, parser + nh3), and printed as microseconds per
character and as a ratio to ordinary prose of the same length (PROSE: prose paragraphs with a
little inline markup, the reference since this benchmark was written). Targets: a worst ratio of
10, and at most 250 ms of CPU for any input. Plain text and a realistic long blog post are printed
as context, outside the worst.

    .venv/bin/python -m benchmarks.rendering            # comments and post bodies
    .venv/bin/python -m benchmarks.rendering --quick    # comments only
    .venv/bin/python -m benchmarks.rendering --renderer markdown-it   # the former renderer

The shapes come from the quadratic-time reports against cmark, cmark-gfm, markdown-it,
commonmark.js, md4c and pulldown-cmark (unclosed links and images, delimiter runs, nested
brackets and containers, link reference expansion, table cell autocompletion, HTML-like runs)."""

import argparse
import os
import statistics
import sys
import time

from cms import rendering

PROSE = (
    "The river was high that spring, and the ferry ran only in the mornings. Anna kept a "
    "notebook of the crossings: who came, what they carried, what they *said* about the "
    "weather. Some wrote to her later, and a few of those letters are quoted here with "
    "**permission**; the rest are in the [archive](https://archive.example/ferry) at `box 12`.\n\n"
)

# Context only, not the reference: the same paragraph without its four inline elements.
PLAIN_TEXT = (
    "The river was high that spring, and the ferry ran only in the mornings. Anna kept a "
    "notebook of the crossings: who came, what they carried, what they said about the "
    "weather. Some wrote to her later, and a few of those letters are quoted here with "
    "permission; the rest are in the archive at box 12.\n\n"
)


def _section(i: int) -> str:
    return f"""## Part {i}: what the ferry carried

The river was high that spring, and the ferry ran only in the mornings. Anna kept a notebook of
the crossings: who came, what they carried, what they *said* about the weather. Some wrote to her
later, and a few of those letters are quoted here with **permission**; the rest are in the
[archive](https://archive.example/ferry/{i}) at `box {i}`.

Most crossings were uneventful. The log lists the **date**, the _passengers_, the cargo and a
remark, and the remarks are where the story is: "fog", "late", "the mule refused again".

- [The first letter](https://archive.example/letters/{i}/1), from the miller's daughter
- A *list* of what was carried in May, with `weights` in stones
- The ~~lost~~ recovered page of the log
- Notes on the [map](https://maps.example/river?year=1921&part={i})

1. Read the log.
2. Compare it with the letters.
3. Mark every crossing that the letters do not mention.

```python
def crossings(log, letters):
    mentioned = {{letter.date for letter in letters}}
    for entry in log:
        if entry.date not in mentioned:
            yield entry
```

| Month | Crossings | Passengers | Remark |
|-------|----------:|-----------:|--------|
| March | 12 | 40 | fog |
| April | 25 | 96 | *late* |
| May | 31 | 120 | the mule |
| June | 30 | 88 | dry |

> The river does not care what we carry. It only cares that we cross before noon.
> — from a letter, {i}

"""


def realistic_post(length: int) -> str:
    """A long blog post: headings, prose with emphasis, links and code spans, lists, a code
    block, a table and a quote in every section, cut at a section boundary."""
    out, size, i = ["# The ferry log\n\n"], 17, 0
    while size + len(_section(i)) <= length:
        out.append(_section(i))
        size += len(out[-1])
        i += 1
    return "".join(out)


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _nested(opening: str, middle: str, closing: str, length: int) -> str:
    depth = (length - len(middle)) // (len(opening) + len(closing))
    return opening * depth + middle + closing * depth


def _lines(make_line, length: int) -> str:
    out, size, i = [], 0, 0
    while size < length:
        line = make_line(i) + "\n"
        out.append(line)
        size += len(line)
        i += 1
    return "".join(out)[:length]


def _reference_expansion(length: int) -> str:
    destination = "https://e.example/" + "x" * 1000
    head = f"[x]: {destination}\n\n"
    return head + _repeat("[x] ", length - len(head))


def _wide_table(length: int) -> str:
    columns = 1000
    head = "x|" * columns + "\n" + "-|" * columns + "\n"
    return head + _repeat("x\n", length - len(head))


def _deep_list(length: int) -> str:
    return _lines(lambda i: "  " * min(i, 5000) + "- a", length)


SHAPES = {
    "![": lambda n: _repeat("![", n),
    "[": lambda n: _repeat("[", n),
    "]": lambda n: _repeat("]", n),
    "*a": lambda n: _repeat("*a", n),
    "_a": lambda n: _repeat("_a", n),
    "*a **a": lambda n: _repeat("*a **a ", n),
    "a*": lambda n: _repeat("a*", n),
    "a_": lambda n: _repeat("a_", n),
    "**": lambda n: _repeat("**", n),
    "***a": lambda n: _repeat("***a", n),
    "~~": lambda n: _repeat("~~", n),
    "~~a": lambda n: _repeat("~~a", n),
    "`": lambda n: _repeat("`", n),
    "`a``": lambda n: _repeat("`a``", n),
    "\\``": lambda n: _repeat("\\``", n),
    "<": lambda n: _repeat("<", n),
    "<>": lambda n: _repeat("<>", n),
    "a <![CDATA[": lambda n: _repeat("a <![CDATA[", n),
    "a <?": lambda n: _repeat("a <? ", n),
    "a <!A": lambda n: _repeat("a <!A", n),
    "<a:": lambda n: _repeat("<a:", n),
    "[a](": lambda n: _repeat("[a](", n),
    "[a](<b": lambda n: _repeat("[a](<b", n),
    "[](": lambda n: _repeat("[](", n),
    "]([\\n": lambda n: _repeat("]([\n", n),
    "[ (](": lambda n: _repeat("[ (](", n),
    "[a](b '": lambda n: _repeat("[a](b '", n),
    "![a](b": lambda n: _repeat("![a](b", n),
    "[a]: b": lambda n: _repeat("[a]: b\n", n),
    "[x][x] refs": _reference_expansion,
    "nested [": lambda n: _nested("[", "a", "](b)", n),
    "nested ![": lambda n: _nested("![", "a", "](b)", n),
    "nested *": lambda n: _nested("*", "a", "*", n),
    "nested **_": lambda n: _nested("**_", "a", "_**", n),
    "nested ( in link": lambda n: "[a](" + _nested("(", "b", ")", n - 5) + ")",
    "> ": lambda n: _repeat("> ", n),
    "- ": lambda n: _repeat("- ", n),
    "1. ": lambda n: _repeat("1. ", n),
    "* > 1. ": lambda n: _repeat("* > 1. ", n),
    "deep list": _deep_list,
    "> lines": lambda n: _lines(lambda i: "> " * min(i, 3000) + "a", n),
    "\\": lambda n: _repeat("\\", n),
    "\\*": lambda n: _repeat("\\*", n),
    "&amp;": lambda n: _repeat("&amp;", n),
    "&#9999999;": lambda n: _repeat("&#9999999;", n),
    "&": lambda n: _repeat("&", n),
    "|": lambda n: _repeat("|", n),
    "|\\n": lambda n: _repeat("|\n", n),
    "a|b table rows": lambda n: "a|b\n-|-\n" + _repeat("a|b\n", n - 8),
    "wide table": _wide_table,
    "-|": lambda n: "x\n" + _repeat("-|", n - 2),
    "    ": lambda n: _repeat("    a\n", n),
    "\\t": lambda n: _repeat("\t", n),
    "```\\n": lambda n: _repeat("```\n", n),
    "~~~ a": lambda n: _repeat("~~~ a\n", n),
    "# ": lambda n: _repeat("# ", n),
    "a\\n=": lambda n: _repeat("a\n=\n", n),
    "***\\n": lambda n: _repeat("***\n", n),
    "\\n": lambda n: _repeat("\n", n),
    "space": lambda n: _repeat(" ", n),
    "a  \\n": lambda n: _repeat("a  \n", n),
    "http://": lambda n: _repeat("http://a.b ", n),
    "www.": lambda n: _repeat("www.", n),
    "a@b.c": lambda n: _repeat("a@b.c ", n),
    "<http://a>": lambda n: _repeat("<http://a>", n),
    "[^1]": lambda n: _repeat("[^1]", n),
    "é": lambda n: _repeat("é\u200b", n),
    "emoji": lambda n: _repeat("\U0001f600", n),
    # Dense markup padded to just inside the tag budget (cms.rendering.CHARS_PER_TAG).
    "*a* + x\\n lines": lambda n: _repeat("x\n" * 16 + "*a*", n),
    "1. a + x\\n lines": lambda n: _repeat("x\n" * 13 + "1. a\n", n),
    "***a*** + [a](": lambda n: _repeat("***a***" + "[a](" * 16, n),
    "![a](b) + &": lambda n: _repeat("![a](b)" + "&" * 34, n),
    "a  \\n + <": lambda n: _repeat("<" * 37 + "a  \n", n),
}


def _markdown_it_renderer():
    """The pipeline Hearth used before issue 11 (`pip install markdown-it-py==4.3.0`):
    markdown-it-py, then the same nh3 clean."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table").enable("strikethrough")

    def render(source: str, *, for_comment: bool = False) -> str:
        return rendering.sanitize(parser.render(source), for_comment=for_comment)

    return render


def _seconds(render, source: str, *, for_comment: bool, budget: float) -> float:
    """The median of a few runs, fewer for slow inputs: one run when the first takes > budget."""
    times = []
    while len(times) < 5:
        start = time.process_time()
        render(source, for_comment=for_comment)
        times.append(time.process_time() - start)
        if sum(times) > budget:
            break
    return statistics.median(times)


CONTEXT = {"plain text": lambda n: _repeat(PLAIN_TEXT, n), "realistic post": realistic_post}
TARGET_RATIO = 10
TARGET_SECONDS = 0.250  # of CPU for any one hostile request (issue 11)


def measure(render, *, length: int, for_comment: bool, budget: float) -> list[tuple]:
    """Rows of (input, characters, seconds, ratio to prose of the same length, is context)."""
    prose = _repeat(PROSE, length)
    base = _seconds(render, prose, for_comment=for_comment, budget=budget)
    rows = [("prose", len(prose), base, 1.0, False)]
    for context, shapes in ((True, CONTEXT), (False, SHAPES)):
        for name, make in shapes.items():
            source = make(length)
            assert len(source) <= length, (name, len(source))
            seconds = _seconds(render, source, for_comment=for_comment, budget=budget)
            rows.append((name, len(source), seconds, seconds / base * length / len(source),
                         context))
    return rows


def _held(held: bool) -> str:
    return "held" if held else "MISSED"


def report(title: str, rows: list[tuple]) -> tuple[float, float]:
    """Prints the rows and the worst hostile input; returns (worst ratio, worst seconds)."""
    print(f"\n{title}")
    print(f"{'input':<20} {'chars':>9} {'ms':>9} {'us/char':>8} {'x prose':>8}")
    for name, chars, seconds, ratio, context in rows:
        print(f"{name:<20} {chars:>9,} {seconds * 1000:>9.1f} {seconds / chars * 1e6:>8.3f}"
              f" {ratio:>8.1f}{'  (context)' if context else ''}")
    hostile = [row for row in rows if not row[4]]
    worst = max(hostile, key=lambda row: row[3])
    slowest = max(hostile, key=lambda row: row[2])
    print(f"worst: {worst[0]!r} at {worst[3]:.1f}x prose:"
          f" {_held(worst[3] <= TARGET_RATIO)} against <= {TARGET_RATIO}x")
    print(f"slowest: {slowest[0]!r} at {slowest[2] * 1000:.0f} ms of CPU:"
          f" {_held(slowest[2] <= TARGET_SECONDS)} against <= {TARGET_SECONDS * 1000:.0f} ms")
    return worst[3], slowest[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="comments only")
    parser.add_argument("--renderer", choices=["hearth", "markdown-it"], default="hearth")
    parser.add_argument("--budget", type=float, default=1.0,
                        help="seconds of runs per input before taking the median")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    from django.conf import settings

    render = rendering.render_markdown if args.renderer == "hearth" else _markdown_it_renderer()
    cases = [("comment", settings.HEARTH_MAX_COMMENT_LENGTH, True)]
    if not args.quick:
        cases.append(("post body", settings.HEARTH_MAX_POST_BODY_LENGTH, False))
    worst = slowest = 0.0
    for label, length, for_comment in cases:
        rows = measure(render, length=length, for_comment=for_comment, budget=args.budget)
        ratio, seconds = report(f"{args.renderer}: {label}, {length:,} characters", rows)
        worst, slowest = max(worst, ratio), max(slowest, seconds)
    print(f"\noverall: worst {worst:.1f}x prose ({_held(worst <= TARGET_RATIO)} <= "
          f"{TARGET_RATIO}x), slowest {slowest * 1000:.0f} ms"
          f" ({_held(slowest <= TARGET_SECONDS)} <= {TARGET_SECONDS * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
