"""seqcourse.inference.serving: the padded-batch predictor answers in request order with each
strategy's shapes and padding, a masked Keras model gives the same answers whatever the padding,
and the timing helpers report what they measured."""

import numpy as np
import pytest

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.inference.serving import (
    PaddedBatchPredictor,
    bucket_index,
    latency_summary,
    throughput,
    time_requests,
)


def _requests(lengths, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(2, 50, size=n) for n in lengths]


def _first_token_and_length(batch):
    """A stand-in model: row -> (first token, number of non-pad tokens, padded length)."""
    batch = np.asarray(batch)
    return np.stack(
        [batch[:, 0], (batch != 0).sum(axis=1), np.full(len(batch), batch.shape[1])], axis=1
    )


def test_bucket_index_picks_the_smallest_boundary_that_holds_each_length():
    np.testing.assert_array_equal(
        bucket_index([1, 4, 5, 8, 9, 16, 40], (4, 8, 16)), [0, 0, 1, 1, 2, 2, 2]
    )
    for bad in [(), (8, 4), (0, 4), (4, 4.5)]:
        with pytest.raises(ValueError, match="boundaries"):
            bucket_index([1], bad)
    with pytest.raises(ValueError, match="lengths"):
        bucket_index([[1, 2]], (4,))


@pytest.mark.parametrize(
    "strategy, shapes",
    [
        ("max", {(3, 8), (2, 8)}),
        ("longest", {(3, 6), (2, 8)}),
        ("bucket", {(3, 4), (2, 8)}),
    ],
)
def test_predictor_answers_in_request_order_with_the_strategys_shapes(strategy, shapes):
    lengths = [6, 2, 3, 12, 4]  # 12 is truncated to max_len 8
    requests = _requests(lengths)
    predictor = PaddedBatchPredictor(
        _first_token_and_length, boundaries=(4, 8), batch_size=3, strategy=strategy
    )
    out = predictor(requests)
    np.testing.assert_array_equal(out[:, 0], [r[0] for r in requests])
    np.testing.assert_array_equal(out[:, 1], np.minimum(lengths, 8))
    stats = predictor.stats
    assert stats.shapes == shapes
    assert (stats.requests, stats.truncated, stats.real_tokens) == (5, 1, 23)
    assert stats.slots == sum(b * t for b, t in shapes)
    assert stats.padding_fraction == pytest.approx(1 - 23 / stats.slots)


def test_pre_padding_puts_the_zeros_first_and_still_keeps_the_first_tokens():
    seen = []
    predictor = PaddedBatchPredictor(
        lambda batch: seen.append(batch) or batch[:, :1], boundaries=(4,), padding="pre"
    )
    predictor([[5, 6], [1, 2, 3, 4, 7]])
    np.testing.assert_array_equal(seen[0], [[0, 0, 5, 6], [1, 2, 3, 4]])


def test_bucketing_wastes_less_padding_than_padding_to_the_maximum():
    lengths = 1 + np.random.default_rng(1).poisson(12, size=200)  # short, like reviews
    requests = _requests(lengths)
    waste = {}
    for strategy in ("max", "bucket"):
        predictor = PaddedBatchPredictor(
            _first_token_and_length, boundaries=(8, 16, 32, 64), strategy=strategy
        )
        predictor(requests)
        waste[strategy] = predictor.stats.padding_fraction
    assert waste["bucket"] < 0.5 * waste["max"]


def test_predictor_rejects_bad_arguments_and_requests_with_a_reason():
    with pytest.raises(TypeError, match="callable"):
        PaddedBatchPredictor("model")
    with pytest.raises(ValueError, match="strategy"):
        PaddedBatchPredictor(_first_token_and_length, strategy="sorted")
    with pytest.raises(ValueError, match="padding"):
        PaddedBatchPredictor(_first_token_and_length, padding="both")
    with pytest.raises(ValueError, match="batch_size"):
        PaddedBatchPredictor(_first_token_and_length, batch_size=0)
    predictor = PaddedBatchPredictor(_first_token_and_length, boundaries=(4,))
    with pytest.raises(ValueError, match=r"requests \[1\] have no tokens"):
        predictor([[3, 4], []])
    with pytest.raises(ValueError, match="no requests"):
        predictor([])
    dropping = PaddedBatchPredictor(lambda batch: batch[:1], boundaries=(4,))
    with pytest.raises(ValueError, match="one row per sequence"):
        dropping([[3], [4]])


def test_masked_keras_model_gives_the_same_answers_under_every_strategy():
    keras = pytest.importorskip("keras")
    from seqcourse.models import recurrent_text_classifier

    keras.utils.set_random_seed(0)
    model = recurrent_text_classifier(50, embed_dim=4, units=3, cell="GRU")
    requests = _requests([3, 9, 1, 5, 7, 2])
    answers = [
        PaddedBatchPredictor(
            model.predict_on_batch, boundaries=(4, 8, 16), batch_size=4, strategy=s
        )(requests)
        for s in ("max", "longest", "bucket")
    ]
    one_by_one = np.concatenate([model.predict_on_batch(r[None]) for r in requests])
    for out in answers:
        np.testing.assert_allclose(out, one_by_one, atol=1e-5)


def test_timing_helpers_measure_every_request_and_summarise_in_milliseconds():
    calls = []
    seconds = time_requests(calls.append, [1, 2, 3], warmup=1)
    assert calls == [1, 1, 2, 3] and seconds.shape == (3,) and np.all(seconds >= 0)
    summary = latency_summary([0.001, 0.002, 0.003, 0.004, 0.100])
    assert summary["p50 ms"] == pytest.approx(3.0)
    assert summary["p95 ms"] == pytest.approx(80.8)  # linear interpolation between 4 and 100
    assert summary["mean ms"] == pytest.approx(22.0)
    assert throughput(lambda batch: sum(batch), list(range(100)), repeats=3) > 100
    with pytest.raises(ValueError, match="non-empty"):
        latency_summary([])
    with pytest.raises(ValueError, match="at least one request"):
        time_requests(print, [])
    with pytest.raises(ValueError, match="repeats"):
        throughput(print, [1], repeats=0)
