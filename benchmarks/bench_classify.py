"""Classification throughput (cases/s, one core) and its ratio to plain jieba.lcut on the same texts."""
from __future__ import annotations

import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import jieba  # noqa: E402

from regwatch.classifiers import EnforcementClassifier  # noqa: E402

SHARED_DEV = ROOT.parent / "shared" / "data" / "gold_dev.jsonl"
FIXTURE = ROOT / "tests" / "fixtures" / "articles_dev.jsonl"
TARGET_CASES = 10_000


def load_texts() -> list[tuple[str, str]]:
    path = SHARED_DEV if SHARED_DEV.is_file() else FIXTURE
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r.get("title", ""), r.get("text", "")) for r in rows]


def main() -> None:
    texts = load_texts()
    classifier = EnforcementClassifier()
    jieba.initialize()
    cases_per_pass = sum(len(classifier.classify(t, x).cases) for t, x in texts) or 1
    repeat = -(-TARGET_CASES // cases_per_pass)
    corpus = texts * repeat

    start, cpu = time.perf_counter(), time.process_time()
    cases = sum(len(classifier.classify(t, x).cases) for t, x in corpus)
    classify_s, classify_cpu = time.perf_counter() - start, time.process_time() - cpu

    start, cpu = time.perf_counter(), time.process_time()
    for t, x in corpus:
        jieba.lcut(t + "\n" + x)
    jieba_s, jieba_cpu = time.perf_counter() - start, time.process_time() - cpu

    print(f"articles           {len(corpus)}")
    print(f"cases              {cases}")
    print(f"classify seconds   {classify_s:.2f}")
    print(f"cases per second   {cases / classify_s:.0f}")
    print(f"jieba.lcut seconds {jieba_s:.2f}")
    print(f"classify / jieba   {classify_s / jieba_s:.2f}")
    # CPU time of this process: the fair figure on a shared, loaded machine
    print(f"cases per cpu-s    {cases / classify_cpu:.0f}")
    print(f"cpu classify/jieba {classify_cpu / jieba_cpu:.2f}")


if __name__ == "__main__":
    main()
