"""The answer key of ``13_transformers`` is right: the attention head against
keras.ops.dot_product_attention with masks, the positional layout against the reference table,
the encoder parameter count against a built layer, and an order task no position-blind model
can solve."""

import keras
import numpy as np

from seqcourse.grading.questions import transformers as q
from seqcourse.models.layers import TransformerEncoder
from seqcourse.reference import positional_encoding


def test_attention_head_against_keras_dot_product_attention():
    x, w_q, w_k, w_v, lengths, causal = q._attention_case(
        np.random.default_rng(0), 3, 6, 4, 2, True
    ).args
    output, weights = q.masked_self_attention(x, w_q, w_k, w_v, lengths, causal)
    mask = (np.arange(6)[None, :] < lengths[:, None])[:, None, None, :]  # (B, N=1, 1, T)
    expected = keras.ops.dot_product_attention(
        (x @ w_q)[:, :, None].astype("float32"),
        (x @ w_k)[:, :, None].astype("float32"),
        (x @ w_v)[:, :, None].astype("float32"),
        mask=mask,
        is_causal=True,
    )
    np.testing.assert_allclose(output, np.asarray(expected)[:, :, 0], atol=1e-4)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    assert np.all(np.triu(weights, k=1) == 0)
    for mistake in q.ASSIGNMENT.question("masked_self_attention").mistakes:
        wrong = mistake.produce(x, w_q, w_k, w_v, lengths, causal)[0]
        assert np.abs(wrong - output).max() > 1e-3


def test_concatenated_layout_is_a_column_permutation_of_the_reference():
    table = q.concat_positional_encoding(9, 8)
    reference = positional_encoding(9, 8, dtype=np.float64)
    np.testing.assert_allclose(table, np.concatenate([reference[:, 0::2], reference[:, 1::2]], 1))
    for mistake in q.ASSIGNMENT.question("concat_positional_encoding").mistakes:
        assert np.abs(mistake.produce(9, 8) - table).max() > 1e-3


def test_encoder_parameters_match_a_built_block():
    block = TransformerEncoder(num_heads=3, key_dim=32, ff_dim=96)
    block.build((None, None, 48))
    assert q.encoder_parameters() == block.count_params()
    for mistake in q.ASSIGNMENT.question("encoder_parameters").mistakes:
        assert mistake.produce() != block.count_params()


def test_order_task_labels_and_balance():
    tokens, labels = q.order_task(500, 12, seed=0)
    first_one = np.argmax(tokens == 1, axis=1)
    first_two = np.argmax(tokens == 2, axis=1)
    np.testing.assert_array_equal(labels, (first_one < first_two).astype(int))
    assert np.all((tokens == 1).sum(1) == 1) and np.all((tokens == 2).sum(1) == 1)
    assert tokens.min() >= 1 and 0.4 < labels.mean() < 0.6
    data = q.order_data(True)
    assert data.x_train.shape[1] == data.x_eval.shape[1] == 20
