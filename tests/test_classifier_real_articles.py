"""The labelled real-article set (tests/fixtures/articles_real.jsonl): its shape, and figures on it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.test_classifier import SHARED, scorer_figures

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "articles_real.jsonl"
VOCABULARY = yaml.safe_load((ROOT / "regwatch" / "config" / "rules" / "vocabulary.yaml").read_text(encoding="utf-8"))


def rows() -> list[dict]:
    return [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_row_has_a_source_a_split_and_canonical_labels():
    seen = set()
    for row in rows():
        assert row["id"] not in seen and row["source_url"].startswith("http") and row["split"] in {"dev", "heldout"}
        assert row["round"] in range(1, 15)
        seen.add(row["id"])
        assert len(row["text"]) <= 6000 and row["is_enforcement"] in (True, False, None)
        assert bool(row["cases"]) == bool(row["is_enforcement"])
        for case in row["cases"]:
            assert case["authority"] in VOCABULARY["authority"]
            assert set(case["penalties"]) <= set(VOCABULARY["penalties"])
            if "industry" in case:
                assert case["industry"] in VOCABULARY["industry"]


def test_held_out_part_was_fixed_by_position():
    """Rounds 1–5 are dev: their held-out halves were opened for tuning after being scored as a whole
    (rounds 1 and 2 on 2026-11-30, rounds 3–5 on 2026-12-02). Round 6 (r6*), labelled 2026-12-02 by
    readers who never saw the rules: every second row is held out and never tuned on. Round 7 (r7*),
    labelled later that day, is held out whole: a test set, scored only as a whole. Round 8 (r8-*),
    labelled on the next session of 2026-12-02 and scored as a whole before tuning: every second row
    is held out. Round 9 (r9a-* on 公安 topics, r9b-* on 网信/courts), labelled later that session:
    the same, per labeller. Round 10 (r10a-* northern, r10b-* southern provinces) was held out whole
    as a test set and scored once as a whole; then every second row was opened for tuning. Round 11
    (r11a-* on 公安/courts, r11b-* on 网信 and other regulators; a later session of 2026-12-02): the
    same as round 10. Round 12 (r12a-* on 公安/courts/procuratorates, r12b-* on 网信, 通信管理 and
    financial regulators; the first session of 2026-12-02's evening): the same. Round 13 (r13a-* on
    公安/courts/procuratorates, r13b-* on 网信, 通信管理, 市场监管 and financial regulators; labelled
    2026-12-03): the same. Round 14 (r14a-*, r14b-*, the same shares; labelled later that session) is held
    out whole like round 7: a test set, scored only as a whole."""
    assert all(r["split"] == "dev" for r in rows() if r["round"] <= 5)
    for prefix, size in (("r6", 75), ("r8-", 38), ("r9a-", 33), ("r9b-", 32), ("r10a-", 34), ("r10b-", 30),
                         ("r11a-", 35), ("r11b-", 35), ("r12a-", 37), ("r12b-", 30),
                         ("r13a-", 32), ("r13b-", 32)):
        batch = [r for r in rows() if r["id"].startswith(prefix)]
        assert [r["split"] for r in batch] == ["heldout" if i % 2 else "dev" for i in range(len(batch))]
        assert len(batch) >= size
    for test_round, size in ((7, 40), (14, 60)):
        test = [r for r in rows() if r["round"] == test_round]
        assert len(test) >= size and all(r["split"] == "heldout" for r in test)


@pytest.mark.skipif(not (SHARED / "eval" / "score.py").is_file(), reason="../shared is absent")
def test_round_one_figures(tmp_path):
    dev = tmp_path / "real_round1.jsonl"
    dev.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows() if r["round"] == 1),
                   encoding="utf-8")
    figures = scorer_figures(dev)
    # snapshot floors: a little under the code's own figures on round 1 (all of it tuned on by now)
    assert figures["article.case_count"] >= 0.85 and figures["article.enforcement_f1"] >= 0.95
    for name in ("case.authority", "case.province", "case.penalties_f1", "case.fine_org", "case.fine_person"):
        assert figures[name] >= 0.9, name


CARDS = ROOT / "tests" / "fixtures" / "cards_unseen.jsonl"
CARDS_ROUND2 = ROOT / "tests" / "fixtures" / "cards_round2.jsonl"
CARDS_ROUND3 = ROOT / "tests" / "fixtures" / "cards_round3.jsonl"
CARDS_ROUND4 = ROOT / "tests" / "fixtures" / "cards_round4.jsonl"
CARDS_ROUND5 = ROOT / "tests" / "fixtures" / "cards_round5.jsonl"
HELD_OUT_WHOLE = (CARDS, CARDS_ROUND5)


def cards_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [CARDS, CARDS_ROUND2, CARDS_ROUND3, CARDS_ROUND4, CARDS_ROUND5],
                         ids=["unseen", "round2", "round3", "round4", "round5"])
def test_written_cards_have_sources_editions_and_canonical_labels(path):
    """Cards written from real single-case articles, by readers who never saw the rules, in the
    report cards' conventions. cards_unseen (2026-12-02): never tuned on. cards_round2 (the next
    session, 22 of each edition), cards_round3 and cards_round4 (15 of each, written after a study of
    the gold annotators' habits; round 4 first held out whole as a test set): scored as a whole first,
    then every second card of each edition held out. cards_round5 (20, a later session of 2026-12-02):
    held out whole, a test set scored only as a whole."""
    cards = cards_of(path)
    assert len(cards) >= 20 and len({c["id"] for c in cards}) == len(cards)
    assert path not in HELD_OUT_WHOLE or all(c["split"] == "heldout" for c in cards)
    if path not in HELD_OUT_WHOLE:
        for edition in ("2019-2020H1", "2023-2024H1"):
            batch = [c["split"] for c in cards if c["report"] == edition]
            assert batch == ["heldout" if i % 2 else "dev" for i in range(len(batch))] and len(batch) >= 15
    for card in cards:
        labels = card["labels"]
        assert card["source_url"].startswith("http") and card["split"] in {"dev", "heldout"}
        assert card["report"] in ("2019-2020H1", "2023-2024H1")
        for field in ("industry", "subject", "nature", "impact"):
            assert labels[field] and set(labels[field]) <= set(VOCABULARY[field]), (card["id"], field)
        assert labels["responsibility"] in VOCABULARY["responsibility"]
        if card["report"] == "2023-2024H1":  # only the newer edition labels the domain
            assert labels.get("domain") in VOCABULARY["domain"], card["id"]


@pytest.mark.skipif(not (SHARED / "eval" / "score.py").is_file(), reason="../shared is absent")
def test_unseen_figures(tmp_path):
    """Snapshot floors, a little under the code's own figures of 2026-12-02 on the sets never tuned
    on (unseen cards; round 7): a regression guard, not a target — the targets are far higher."""
    cards = scorer_figures(CARDS)
    for name, floor in {"card.is_enforcement": 0.85, "card.industry": 0.6, "card.subject_f1": 0.55,
                        "card.nature_f1": 0.6, "card.impact_f1": 0.65, "card.statutes_f1": 0.55,
                        "card.responsibility": 0.6}.items():
        assert cards[name] >= floor, name
    test = tmp_path / "round7.jsonl"
    test.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows() if r["round"] == 7),
                    encoding="utf-8")
    figures = scorer_figures(test)
    assert figures["article.case_count"] >= 0.7 and figures["article.enforcement_f1"] >= 0.9
