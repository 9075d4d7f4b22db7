"""`regwatch classify` and `regwatch eval`: run the enforcement classifier from the command line."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

import click

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCORER = REPO_ROOT.parent / "shared" / "eval" / "score.py"


def classify_stream(source: IO[str], sink: IO[str], name: str) -> int:
    """Classify JSONL rows (or one plain-text article) from `source`; return the number of bad lines."""
    from classifiers import EnforcementClassifier

    classifier = EnforcementClassifier()
    content = source.read()
    stripped = content.lstrip()
    if not stripped.startswith("{"):
        title, _, body = stripped.partition("\n")
        result = classifier.classify(title.strip(), body)
        sink.write(json.dumps(result.to_prediction(Path(name).stem), ensure_ascii=False) + "\n")
        return 0
    bad = 0
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text", ""), str) \
                    or not isinstance(row.get("title", ""), str):
                raise ValueError("expected an object with string 'title' and 'text'")
        except ValueError as exc:
            click.echo(f"{name}: line {number}: malformed input: {exc}", err=True)
            bad += 1
            continue
        result = classifier.classify(row.get("title") or "", row.get("text") or "")
        sink.write(json.dumps(result.to_prediction(row.get("id", number)), ensure_ascii=False) + "\n")
    return bad


def explain_article(title: str, text: str) -> list[str]:
    """The case splitter's outline and cuts for one article, then the cases found."""
    from classifiers import EnforcementClassifier

    classifier = EnforcementClassifier()
    lines = classifier.explain(title, text)
    result = classifier.classify(title, text)
    lines.append(f"is_enforcement: {result.is_enforcement}")
    lines.extend(f"case {c.position + 1}: {c.authority} {c.province} {c.penalties} {c.summary[:40]}"
                 for c in result.cases)
    return lines


@click.command("classify")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Prediction JSONL.")
@click.option("--explain", is_flag=True,
              help="Instead of predictions, show for each article the outline the splitter built and why "
                   "each cut was made.")
def classify_cmd(source: IO[str], output: IO[str], explain: bool) -> None:
    """Classify JSONL {"id","title","text"} rows (or one plain-text article) into prediction JSONL."""
    if explain:
        content = source.read().lstrip()
        if content.startswith("{"):
            for line in filter(str.strip, content.splitlines()):
                row = json.loads(line)
                output.write(f"== {row.get('id')}\n")
                output.write("\n".join(explain_article(row.get("title") or "", row.get("text") or "")) + "\n")
        else:
            title, _, body = content.partition("\n")
            output.write("\n".join(explain_article(title.strip(), body)) + "\n")
        return
    if classify_stream(source, output, getattr(source, "name", "-")):
        sys.exit(1)


@click.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scorer", type=click.Path(path_type=Path), default=DEFAULT_SCORER, show_default=True,
              help="Path to eval/score.py.")
def eval_cmd(gold: Path, scorer: Path) -> None:
    """Classify GOLD.jsonl and print the figures of the shared scorer."""
    if not scorer.is_file():
        raise click.ClickException(f"scorer not found: {scorer} (pass --scorer PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        with gold.open(encoding="utf-8") as source, pred.open("w", encoding="utf-8") as sink:
            bad = classify_stream(source, sink, str(gold))
        done = subprocess.run([sys.executable, str(scorer), str(gold), str(pred)],
                              capture_output=True, text=True, check=False)
    click.echo(done.stdout, nl=False)
    if done.returncode or bad:
        click.echo(done.stderr, err=True, nl=False)
        sys.exit(1)
