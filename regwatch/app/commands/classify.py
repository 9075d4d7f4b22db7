"""`regwatch classify` and `regwatch eval`: run the enforcement classifier from the command line.

Input is JSON Lines read as bytes, one line at a time (only ``\\n`` ends a line, so a U+2028
inside a JSON string stays in its row). Each bad line is reported as ``FILE: line N: reason`` on
stderr and skipped; the good lines are still classified.
"""
from __future__ import annotations

import codecs
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import click

from regwatch.config import MAX_TEXT_CHARS

#: A line longer than this is refused (a row holds one article; the classifier keeps MAX_TEXT_CHARS).
MAX_LINE_BYTES = 8 * MAX_TEXT_CHARS
#: Rows nested deeper than this are refused (an article row is an object of strings and lists).
MAX_JSON_DEPTH = 32


class NotJsonLines(ValueError):
    """The input as a whole is not JSON Lines (plain text, empty, one JSON array …)."""


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(node, dict):
            stack += [(v, level + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, level + 1) for v in node]
    return deepest


def parse_row(line: bytes) -> dict[str, Any]:
    """One JSONL line as an article row {"id", "title", "text"}; ValueError says what is wrong."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (byte {exc.start + 1} of the line)") from None
    if not decoded.strip():
        raise ValueError("empty line")
    try:
        row = json.loads(decoded)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    if _depth(row) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    for key in ("title", "text"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise ValueError(f"'{key}' must be a string, got {type(row[key]).__name__}")
    if "id" in row and (isinstance(row["id"], bool) or not isinstance(row["id"], (str, int))):
        raise ValueError(f"'id' must be a string or an integer, got {type(row['id']).__name__}")
    if not (row.get("title") or "").strip() and not (row.get("text") or "").strip():
        raise ValueError("no 'title' and no 'text': nothing to classify")
    return row


def _jsonl(row: dict[str, Any]) -> str:
    """One output line: UTF-8 JSON with U+2028/U+2029 escaped, so no line-splitter breaks the row."""
    return json.dumps(row, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def _lines(source: IO[bytes]) -> Any:
    """(number, bytes) for each line; a line longer than MAX_LINE_BYTES comes as None."""
    number = 0
    while True:
        line = source.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := source.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _refuse_unless_jsonl(first: bytes) -> None:
    head = first.lstrip()
    if not head:
        raise NotJsonLines("empty input")
    if head.startswith(b"["):
        raise NotJsonLines("a JSON array, not JSON Lines (write one object per line)")
    if not head.startswith(b"{"):
        raise NotJsonLines("not JSON Lines (the first line is not a JSON object)")


def _explanation(classifier: Any, row_id: object, title: str, text: str) -> str:
    """The case splitter's outline and cuts for one article, then the cases found."""
    result = classifier.classify(title, text)
    lines = [f"== {row_id}", *classifier.explain(title, text), f"is_enforcement: {result.is_enforcement}"]
    lines += [f"case {c.position + 1}: {c.authority} {c.province} {'、'.join(c.penalties)} {c.summary[:40]}"
              for c in result.cases]
    return "\n".join(lines) + "\n"


def classify_stream(source: IO[bytes], sink: IO[str], name: str, *, plain: bool = False,
                    rules_dir: Path | None = None, explain: bool = False) -> int:
    """Classify JSONL rows from ``source`` (or, with ``plain``, the whole input as one article:
    title on the first line); write prediction JSONL to ``sink`` (with ``explain``: the splitter's
    outline and cuts of each article); return the number of bad lines.

    Raises NotJsonLines when the input is not JSON Lines and ``plain`` is not set.
    """
    from regwatch.classifiers import EnforcementClassifier

    def emit(classifier: Any, row_id: object, title: str, text: str) -> str:
        if explain:
            return _explanation(classifier, row_id, title, text)
        return _jsonl(classifier.classify(title, text).to_prediction(row_id))

    if plain:
        content = source.read(MAX_LINE_BYTES).removeprefix(codecs.BOM_UTF8)
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            click.echo(f"{name}: not UTF-8 (byte {exc.start + 1})", err=True)
            return 1
        if not text.strip():
            click.echo(f"{name}: empty input", err=True)
            return 1
        title, _, body = text.lstrip().partition("\n")
        sink.write(emit(EnforcementClassifier(rules_dir), Path(name).stem, title.strip(), body))
        return 0
    lines = _lines(source)
    pending: list[tuple[int, bytes | None]] = []
    for number, line in lines:  # the first line that holds something decides the format
        if number == 1 and line is not None:
            line = line.removeprefix(codecs.BOM_UTF8)
        pending.append((number, line))
        if line is None or line.strip():
            break
    first = pending[-1][1] if pending else b""
    if first is not None:  # None: an overlong first line, reported below as a bad line
        _refuse_unless_jsonl(first)
    classifier = EnforcementClassifier(rules_dir)
    bad = 0
    for number, line in itertools.chain(pending, lines):
        try:
            if line is None:
                raise ValueError(f"line longer than {MAX_LINE_BYTES} bytes")
            row = parse_row(line)
        except ValueError as exc:
            click.echo(f"{name}: line {number}: {exc}", err=True)
            bad += 1
            continue
        sink.write(emit(classifier, row.get("id", number), row.get("title") or "", row.get("text") or ""))
    return bad


@click.command("classify")
@click.argument("source", type=click.File("rb"), default="-")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Prediction JSONL.")
@click.option("--plain", is_flag=True, help="SOURCE is one plain-text article (title on the first line), not JSONL.")
@click.option("--explain", is_flag=True,
              help="Instead of predictions, show for each article the outline the splitter built and why each cut "
                   "was made.")
@click.pass_context
def classify_cmd(ctx: click.Context, source: IO[bytes], output: IO[str], plain: bool, explain: bool) -> None:
    """Classify JSON Lines rows {"id", "title", "text"} into prediction JSONL.

    Each bad line (not UTF-8, not JSON, nested too deep, no title and no text, wrong types) is
    reported on stderr as FILE: line N: reason and skipped; the others are classified. Input that
    is not JSON Lines (plain text, empty, a JSON array) is refused unless --plain says it is one
    article. A UTF-8 byte order mark is accepted. Exit status 1 if any line was bad.

    \b
    Examples:
      regwatch classify articles.jsonl -o predictions.jsonl
      regwatch classify --plain notice.txt
      regwatch classify --plain --explain notice.txt
    """
    settings = getattr(ctx.obj, "settings", None)
    name = getattr(source, "name", "-")
    try:
        bad = classify_stream(source, output, name, plain=plain, rules_dir=getattr(settings, "rules_dir", None),
                              explain=explain)
    except NotJsonLines as exc:
        click.echo(f"{name}: {exc}; pass --plain to classify it as one plain-text article", err=True)
        sys.exit(1)
    if bad:
        sys.exit(1)


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scorer", type=click.Path(path_type=Path),
              help="Path to eval/score.py (default: eval/score.py beside GOLD's folder, as in shared/).")
def eval_cmd(gold: Path, scorer: Path | None) -> None:
    """Classify GOLD.jsonl and print the figures of the shared scorer.

    \b
    Example:
      regwatch eval ../shared/data/gold_dev.jsonl
    """
    scorer = scorer or gold.resolve().parent.parent / "eval" / "score.py"
    if not scorer.is_file():
        raise click.ClickException(f"scorer not found: {scorer} (pass --scorer PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        with gold.open("rb") as source, pred.open("w", encoding="utf-8") as sink:
            try:
                bad = classify_stream(source, sink, str(gold))
            except NotJsonLines as exc:
                raise click.ClickException(f"{gold}: {exc}") from None
        done = subprocess.run([sys.executable, str(scorer), str(gold), str(pred)],
                              capture_output=True, text=True, check=False)
    click.echo(done.stdout, nl=False)
    if done.returncode or bad:
        click.echo(done.stderr, err=True, nl=False)
        sys.exit(1)
