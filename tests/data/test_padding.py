"""pad_batch, sequence_mask and length buckets for variable-length sequences."""

import subprocess
import sys

import numpy as np
import pytest

from seqcourse.data import length_buckets, pad_batch, padded_batches, sequence_mask


def test_pad_batch_pads_and_truncates_at_the_end_by_default():
    padded = pad_batch([[1, 2, 3], [4], [5, 6]])
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, 0, 0], [5, 6, 0]])
    assert padded.dtype == np.int32
    np.testing.assert_array_equal(pad_batch([[1, 2, 3], [4]], maxlen=2), [[1, 2], [4, 0]])
    np.testing.assert_array_equal(pad_batch([[1, 2, 3]], maxlen=2, truncating="pre"), [[2, 3]])
    with pytest.raises(ValueError, match="at least one sequence"):
        pad_batch([])


def test_mask_of_padded_batch_marks_real_tokens():
    sequences = [[3, 1], [2, 2, 2], [7]]
    padded = pad_batch(sequences)
    mask = sequence_mask([len(s) for s in sequences])
    np.testing.assert_array_equal(mask, padded != 0)
    assert sequence_mask([1, 0], maxlen=3).tolist() == [[True, False, False], [False] * 3]


def test_buckets_cover_every_index_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 100, size=103)
    buckets = length_buckets(lengths, batch_size=10, seed=1)
    assert len(buckets) == 11
    np.testing.assert_array_equal(np.sort(np.concatenate(buckets)), np.arange(103))
    spread = np.mean([np.ptp(lengths[b]) for b in buckets])
    assert spread < 20  # sorted buckets: far less than the 98 of random batches
    assert [b.tolist() for b in length_buckets(lengths, 10, seed=1)] == [
        b.tolist() for b in buckets
    ]
    unshuffled = length_buckets(lengths, 10, seed=None)
    assert lengths[unshuffled[0]].max() <= lengths[unshuffled[-1]].min()


def test_padded_batches_pad_each_bucket_to_its_own_length():
    sequences = [[1] * n for n in (5, 1, 4, 2, 3, 6)]
    batches = list(padded_batches(sequences, batch_size=2, seed=None))
    assert [b.shape for _, b in batches] == [(2, 2), (2, 4), (2, 6)]
    for indices, batch in batches:
        assert batch.sum() == sum(len(sequences[i]) for i in indices)


def test_importing_seqcourse_data_loads_neither_tensorflow_nor_pandas():
    code = (
        "import sys, seqcourse.data; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
