"""The answer key of ``15_practice`` is right: the token PSI against a count-by-dictionary
version, the bucket padding share against what PaddedBatchPredictor measures while serving, and
the checkpoint size against the float arrays of a real compiled-and-saved Keras model."""

import zipfile
from collections import Counter

import h5py
import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.grading.questions import practice as q
from seqcourse.inference.serving import PaddedBatchPredictor


def _psi_by_counting(reference, current, vocab, alpha=0.5):
    def shares(ids):
        counts = Counter(int(t) for t in np.ravel(ids) if t != 0)
        total = sum(counts.values())
        return np.array(
            [(counts[k] + alpha) / (total + alpha * (vocab - 1)) for k in range(1, vocab)]
        )

    r, c = shares(reference), shares(current)
    return sum((ci - ri) * np.log(ci / ri) for ri, ci in zip(r, c, strict=True))


def test_token_psi_against_counting_and_its_mistakes_differ():
    rng = np.random.default_rng(0)
    for case in q._public_psi() + q._hidden_psi(rng):
        reference, current, vocab = case.args
        expected = _psi_by_counting(reference, current, vocab)
        assert q.token_psi(reference, current, vocab) == pytest.approx(expected, rel=1e-9)
    reference, current, vocab = q._ids_case(rng, 20, 6, 10, 3.0).args
    right = q.token_psi(reference, current, vocab)
    assert right > 0.1  # a strong shift is seen
    for mistake in q.ASSIGNMENT.question("token_psi").mistakes:
        assert abs(mistake.produce(reference, current, vocab) - right) > 1e-3


def test_bucket_padding_share_equals_what_the_predictor_measures():
    rng = np.random.default_rng(1)
    for case in q._public_padding() + q._hidden_padding(rng):
        lengths, boundaries = case.args
        predictor = PaddedBatchPredictor(lambda b: b[:, :1], boundaries=boundaries, batch_size=7)
        predictor([np.ones(n, dtype="int32") for n in lengths])
        assert q.bucket_padding_share(lengths, boundaries) == pytest.approx(
            predictor.stats.padding_fraction, abs=1e-12
        )
    lengths, boundaries = q._public_padding()[0].args
    for mistake in q.ASSIGNMENT.question("bucket_padding_share").mistakes:
        assert mistake.produce(lengths, boundaries) != q.bucket_padding_share(lengths, boundaries)


def test_checkpoint_bytes_match_a_saved_compiled_model(tmp_path):
    pytest.importorskip("keras")
    from seqcourse.models import recurrent_text_classifier

    model = recurrent_text_classifier(20000, embed_dim=128, units=96, cell="GRU")
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    path = tmp_path / "checkpoint.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        archive.extract("model.weights.h5", tmp_path)
    float_bytes = []
    with h5py.File(tmp_path / "model.weights.h5") as weights:
        weights.visititems(
            lambda _, item: (
                float_bytes.append(item.nbytes)
                if isinstance(item, h5py.Dataset) and item.ndim > 0
                else None
            )
        )
    assert q.checkpoint_bytes() == sum(float_bytes) == 12 * model.count_params()
    for mistake in q.ASSIGNMENT.question("checkpoint_bytes").mistakes:
        assert mistake.produce() != q.checkpoint_bytes()
