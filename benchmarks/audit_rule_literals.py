"""How many of the rules' literal words occur in only one tuning text (a rule that serves one text).

Every regex of `regwatch/config/rules/*.yaml` (values, and the keys of weighted label maps) is
parsed (the gazetteers of places and the canonical values aside) and each literal run of two or more characters taken as a word; each word is looked up in
the tuning texts: the dev rows of the labelled fixtures and the shared dev cards when present.
Prints the totals and, with --list, each word that occurs in exactly one tuning text.

    python benchmarks/audit_rule_literals.py [--list] [--file labels]
"""
from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path
from re import _constants as _C, _parser as _P

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DEV = ROOT.parent / "shared" / "data" / "gold_dev.jsonl"
_HELD_OUT_WHOLE = {"cards_unseen.jsonl", "cards_round5.jsonl"}
# Gazetteers and canonical values: names of places and labels, not phrases tuned on texts.
_NOT_RULES = {"counties.yaml", "provinces.yaml", "vocabulary.yaml"}


def tuning_texts() -> list[str]:
    """Title and text of every row the rules may be tuned on (split dev, or no split at all)."""
    texts = []
    paths = sorted(FIXTURES.glob("*.jsonl")) + ([SHARED_DEV] if SHARED_DEV.is_file() else [])
    for path in paths:
        if path.name in _HELD_OUT_WHOLE:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("split", "dev") == "dev":
                texts.append(f"{row.get('title') or ''}\n{row.get('text') or ''}")
    return texts


def _regexes(node, where: str):
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _regexes(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (int, float)) and isinstance(key, str):
                yield f"{where}.<key>", key  # weighted label maps: the regex is the key
            else:
                yield from _regexes(value, f"{where}.{key}")


def _words(items) -> list[str]:
    found, run = [], []
    for op, av in items:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        if len(run) >= 2:
            found.append("".join(run))
        run = []
        if op is _C.SUBPATTERN:
            found += _words(av[-1])
        elif op is _C.BRANCH:
            for branch in av[1]:
                found += _words(branch)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            found += _words(av[2])
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            found += _words(av[1])
    if len(run) >= 2:
        found.append("".join(run))
    return found


def rule_words(only: str | None = None) -> dict[str, set[str]]:
    """Each literal word of the rules, with the places (file.key) it comes from."""
    words: dict[str, set[str]] = defaultdict(set)
    folder = resources.files("regwatch.config") / "rules"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml") or entry.name in _NOT_RULES or (only and entry.name != f"{only}.yaml"):
            continue
        for where, pattern in _regexes(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name[:-5]):
            try:
                parsed = _P.parse(pattern)
            except re.error:
                continue  # plain strings that are no regex (names, labels)
            for word in _words(parsed):
                if re.search(r"[\u4e00-\u9fa5A-Za-z]{2}", word):
                    words[word].add(where)
    return words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print each word found in exactly one tuning text")
    parser.add_argument("--file", help="only this rules file (e.g. labels)")
    args = parser.parse_args()
    texts = tuning_texts()
    words = rule_words(args.file)
    counts = {word: sum(word in text for text in texts) for word in words}
    once = sorted(w for w, n in counts.items() if n == 1)
    never = sorted(w for w, n in counts.items() if n == 0)
    print(f"tuning texts: {len(texts)}")
    print(f"distinct literal words in the rules: {len(words)}")
    print(f"  in no tuning text: {len(never)}")
    print(f"  in exactly one tuning text: {len(once)}")
    if args.list:
        for word in once:
            print(f"1\t{word}\t{', '.join(sorted(words[word]))}")
        for word in never:
            print(f"0\t{word}\t{', '.join(sorted(words[word]))}")


if __name__ == "__main__":
    main()
