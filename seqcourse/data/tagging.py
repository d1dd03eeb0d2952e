"""A seeded sequence-labelling task whose labels depend on *later* words: entity senses.

Each sentence names a person, then an entity word, then a clause. Some entity words are ambiguous
("apple" the company or the fruit, "jaguar" the car maker or the animal), and the only clue to
their sense is a cue word that comes *after* them in the clause ("shares", "factory" for a company;
"ripe", "jungle" for a natural thing). Every token gets one of four tags::

    O    an ordinary word              PER  a person's name
    ORG  a company or organisation     NAT  a natural thing: fruit, animal, river

A tagger that reads left to right has seen no cue yet when it must tag an ambiguous word, so it can
do no better than guess there; a tagger that also reads right to left can see the cue. That is the
point of the task: it needs future context, as named-entity recognition does in real text.

The sentences come from a small fixed grammar (vocabulary :data:`VOCABULARY`, tags :data:`TAGS`),
so the task is reproducible from its seed and needs no download. Lengths vary (6 to 13
tokens), so batches must be padded and masked.
"""

from dataclasses import dataclass

import numpy as np

from seqcourse.data.padding import pad_batch, sequence_mask

TAGS = ("O", "PER", "ORG", "NAT")

NAMES = ("ana", "ben", "chen", "dara", "emeka", "farah", "goran", "hana", "ivan", "julia")
VERBS = ("loves", "likes", "mentioned", "visited", "praised", "watched", "described")
# Entity words with two senses: the tag depends on the cue that follows.
AMBIGUOUS = ("apple", "jaguar", "amazon", "blackberry", "orange", "shell")
# Entity words with one sense whatever follows.
ORG_ONLY = ("siemens", "nokia", "toyota", "unilever")
NAT_ONLY = ("banana", "tiger", "danube", "oak")
# Cue words: the only evidence of an ambiguous word's sense.
ORG_CUES = ("shares", "phones", "stock", "ceo", "headquarters", "software", "profits", "factory")
NAT_CUES = ("ripe", "juicy", "wild", "jungle", "seeds", "leaves", "habitat", "tasty")
# Sense-neutral words, by their place in the sentence.
DETERMINERS = ("the", "that", "this", "her", "his")
ADVERBS = ("again", "today", "really", "often", "too")
CONNECTORS = ("because", "since", "and", "as", "while")
OWNERS = ("its", "the", "their")
ADJECTIVES = ("new", "big", "many", "so", "very", "all")
ENDINGS = ("were", "was", "again", "today", "too", "indeed")
FILLERS = tuple(sorted(set(DETERMINERS + ADVERBS + OWNERS + ADJECTIVES + ENDINGS)))

PAD = "<pad>"
# Token id 0 is padding (what Embedding(mask_zero=True) masks); words follow in sorted order.
VOCABULARY = (PAD,) + tuple(
    sorted(
        set(NAMES + VERBS + AMBIGUOUS + ORG_ONLY + NAT_ONLY + ORG_CUES)
        | set(NAT_CUES + FILLERS + CONNECTORS)
    )
)
WORD_IDS = {word: index for index, word in enumerate(VOCABULARY)}


@dataclass(frozen=True)
class TaggingSet:
    """Padded sentences and their tags.

    Attributes:
        tokens: token ids, shape (B, T), int32, 0 after the end of a sentence.
        tags: tag ids (indices into :data:`TAGS`), shape (B, T), int32, 0 ("O") on padding.
        mask: True on real tokens, shape (B, T), bool (``tokens != 0``).
        ambiguous: True on the tokens whose sense only a later cue decides, shape (B, T), bool.
        words: the sentences as lists of words (unpadded), for display.

    No chapter calls it directly; :func:`entity_sense_tagging` (chapter 6) uses it.
    """

    tokens: np.ndarray
    tags: np.ndarray
    mask: np.ndarray
    ambiguous: np.ndarray
    words: list

    @property
    def lengths(self) -> np.ndarray:
        """Number of real tokens of each sentence, shape (B,)."""
        return self.mask.sum(axis=1)


def _sentence(rng: np.random.Generator) -> tuple[list[str], list[str], int]:
    """One sentence: its words, their tags and the position of the entity word."""

    def pick(options, low, high):
        # between low and high (inclusive) different words drawn from options
        return list(rng.choice(options, size=rng.integers(low, high + 1), replace=False))

    is_org = bool(rng.integers(2))
    if rng.random() < 0.6:
        entity = str(rng.choice(AMBIGUOUS))
    else:
        entity = str(rng.choice(ORG_ONLY if is_org else NAT_ONLY))
    cue = str(rng.choice(ORG_CUES if is_org else NAT_CUES))
    # name verb [determiner] ENTITY [adverbs] connector owner [adjectives] CUE [endings]
    head = [str(rng.choice(NAMES)), str(rng.choice(VERBS))] + pick(DETERMINERS, 0, 1)
    middle = pick(ADVERBS, 0, 2)
    clause = [str(rng.choice(CONNECTORS)), str(rng.choice(OWNERS))] + pick(ADJECTIVES, 0, 2)
    clause += [cue] + pick(ENDINGS, 0, 2)
    words = [str(w) for w in head + [entity] + middle + clause]
    tags = ["PER", "O"] + ["O"] * (len(head) - 2) + ["ORG" if is_org else "NAT"]
    tags += ["O"] * (len(words) - len(tags))
    return words, tags, len(head)


def entity_sense_tagging(n: int, seed: int = 0) -> TaggingSet:
    """``n`` sentences of the entity-sense task, padded at the end to the longest one.

    Args:
        n: number of sentences (>= 1).
        seed: seed of the NumPy generator; the same (n, seed) gives the same set.

    Returns:
        A :class:`TaggingSet` with arrays of shape (n, T), T the longest sentence (at most 13).

    Chapter 6 uses it; exercise 6 uses it.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive int (the number of sentences); got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an int; got {seed!r}")
    rng = np.random.default_rng(int(seed))
    words, tags, ambiguous = [], [], []
    for _ in range(int(n)):
        sentence, sentence_tags, entity_at = _sentence(rng)
        words.append(sentence)
        tags.append([TAGS.index(tag) for tag in sentence_tags])
        flags = [False] * len(sentence)
        flags[entity_at] = sentence[entity_at] in AMBIGUOUS
        ambiguous.append(flags)
    tokens = pad_batch([[WORD_IDS[w] for w in sentence] for sentence in words])
    mask = sequence_mask([len(sentence) for sentence in words], maxlen=tokens.shape[1])
    return TaggingSet(
        tokens=tokens,
        tags=pad_batch(tags, maxlen=tokens.shape[1]),
        mask=mask,
        ambiguous=pad_batch(ambiguous, maxlen=tokens.shape[1], dtype="bool"),
        words=words,
    )
