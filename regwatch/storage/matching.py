"""Is a new case the same real-world case as one already stored (reported by another outlet)?

The classifier's fingerprint catches reports that agree on every key fact. Outlets word things
differently (one lists 下架, the other not), so a case without an exact twin is also compared with
stored cases of the same authority and province, with the same organisation fine, published
within a few days: their texts must then be similar (character-bigram Jaccard).
"""

from __future__ import annotations

import re
from datetime import timedelta

#: Cases published further apart than this are never the same report.
MAX_APART = timedelta(days=7)
#: Minimum similarity when both carry the same organisation fine / when neither states a fine.
MIN_SIMILARITY_WITH_FINE = 0.3
MIN_SIMILARITY_WITHOUT_FINE = 0.5
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z]+")


def bigrams(text: str) -> frozenset[str]:
    s = _NOT_TEXT.sub("", text)
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character bigrams of two texts (0 … 1)."""
    ga, gb = bigrams(a), bigrams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)

