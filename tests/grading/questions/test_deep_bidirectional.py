"""The answer key of ``06_deep_bidirectional`` is right: the encoder against Keras's masked
Bidirectional SimpleRNN, the parameter count against Keras, and the tagging data built so that a
left-to-right tagger cannot reach the threshold."""

import keras
import numpy as np
import pytest

from seqcourse.data.tagging import AMBIGUOUS, VOCABULARY
from seqcourse.grading.questions import deep_bidirectional as q
from seqcourse.grading.runner import baseline_scores
from seqcourse.grading.verdicts import pass_mark


def test_encoder_matches_a_masked_keras_bidirectional_simple_rnn():
    x, lengths, forward, backward = q._encode_case(np.random.default_rng(0), 4, 7, 3, 5).args
    layer = keras.layers.Bidirectional(keras.layers.SimpleRNN(5))
    model = keras.Sequential([keras.Input((None, 3)), keras.layers.Masking(0.0), layer])
    layer.set_weights([*forward, *backward])
    expected = model(x.astype("float32")).numpy()
    np.testing.assert_allclose(
        q.bidirectional_encode(x, lengths, forward, backward), expected, atol=1e-5
    )
    # the typical mistakes give different answers on the same case
    for mistake in q.ASSIGNMENT.question("bidirectional_encoder").mistakes:
        assert np.abs(mistake.produce(x, lengths, forward, backward) - expected).max() > 1e-3


def test_bigru_stack_parameters_match_keras():
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(1000, 24, mask_zero=True),
            keras.layers.Bidirectional(
                keras.layers.GRU(32, return_sequences=True), merge_mode="sum"
            ),
            keras.layers.Bidirectional(keras.layers.GRU(16)),
            keras.layers.Dense(5),
        ]
    )
    assert q.stack_parameters() == model.count_params()
    for mistake in q.ASSIGNMENT.question("bigru_stack_parameters").mistakes:
        assert mistake.produce() != model.count_params()


@pytest.mark.parametrize("fast", [True, False])
def test_tagging_data_scores_no_padding_and_defeats_a_forward_tagger(fast):
    data = q.tagging_data(fast)
    assert data.x_train.shape == data.y_train.shape and data.x_train.shape[0] in (1500, 3000)
    assert data.x_eval.shape == data.y_eval.shape == (1000, 9)
    assert (data.x_eval != 0).all()  # every evaluated token is real
    assert data.x_train.max() < len(VOCABULARY)
    ambiguous = np.isin(data.x_eval, [VOCABULARY.index(w) for w in AMBIGUOUS]).mean()
    # a tagger that guesses the ambiguous words (and gets everything else right) scores this:
    coin_flip = 1 - ambiguous / 2
    question = q.ASSIGNMENT.question("future_context_tagger")
    baselines = {name: value for name, value, _ in baseline_scores(question, data, fast)}
    # Both baselines read only the left context: they tag the ambiguous words no better than a coin.
    assert max(baselines.values()) < coin_flip + 0.01
    needed = pass_mark("accuracy", max(baselines.values()), question.margin)
    assert coin_flip < needed - 0.01
    assert q._tagger_kwargs(data) == {"vocabulary_size": len(VOCABULARY), "tags": 4}
