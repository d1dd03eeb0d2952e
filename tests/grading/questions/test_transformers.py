"""The answer key of ``13_transformers`` is right: the attention head against
keras.ops.dot_product_attention with masks, the positional layout against the reference table,
the cross-attention sublayer against keras.layers.MultiHeadAttention and LayerNormalization, the
sliding-window mask against a loop, the masked-LM corruption against its rules, the encoder
parameter count against a built layer, and an order task no position-blind model can solve."""

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


def test_cross_attention_block_against_keras_multi_head_attention():
    case = q._cross_case(np.random.default_rng(3), 3, 4, 6, 5, 3)
    x, context, lengths, w_q, w_k, w_v, w_o = case.args
    output, weights = q.cross_attention_block(*case.args)
    mha = keras.layers.MultiHeadAttention(1, 3, value_dim=4, use_bias=False)
    mha(x[:, :1].astype("float32"), context.astype("float32"))  # builds it
    mha.set_weights([w_q[:, None], w_k[:, None], w_v[:, None], w_o[None]])
    mask = (np.arange(6)[None, :] < lengths[:, None])[:, None, :]  # (B, 1, S)
    read, keras_weights = mha(
        x.astype("float32"),
        context.astype("float32"),
        attention_mask=mask,
        return_attention_scores=True,
    )
    norm = keras.layers.LayerNormalization(epsilon=1e-6, center=False, scale=False)
    expected = norm(x.astype("float32") + read)
    np.testing.assert_allclose(output, np.asarray(expected), atol=1e-4)
    np.testing.assert_allclose(weights, np.asarray(keras_weights)[:, 0], atol=1e-5)
    for mistake in q.ASSIGNMENT.question("cross_attention_block").mistakes:
        wrong = mistake.produce(*case.args)
        assert wrong[1].shape != weights.shape or np.abs(wrong[0] - output).max() > 1e-3


def test_local_causal_mask_against_a_loop():
    lengths, steps, window = np.array([7, 4, 1]), 7, 3
    mask = q.local_causal_mask(lengths, steps, window)
    for b, length in enumerate(lengths):
        for i in range(steps):
            for j in range(steps):
                assert mask[b, i, j] == (j <= i and i - j < window and j < length)
    for mistake in q.ASSIGNMENT.question("local_causal_mask").mistakes:
        assert (mistake.produce(lengths, steps, window) != mask).any()


def test_mlm_corrupt_follows_the_80_10_10_rule():
    rng = np.random.default_rng(4)
    ids = rng.integers(2, 30, size=(2000, 12))
    ids[:, 9:] = 0  # padding
    u_choose, u_action = rng.random(ids.shape), rng.random(ids.shape)
    random_ids = rng.integers(2, 30, size=ids.shape)
    inputs, weights = q.mlm_corrupt(ids, u_choose, u_action, random_ids, 99, 0.15)
    chosen = weights.astype(bool)
    assert not chosen[:, 9:].any() and chosen.sum(axis=1).min() == 1
    np.testing.assert_array_equal(
        chosen,
        (u_choose < 0.15) & (ids != 0)
        | (
            (np.arange(12) == np.argmin(np.where(ids != 0, u_choose, 2), axis=1)[:, None])
            & ~((u_choose < 0.15) & (ids != 0)).any(axis=1, keepdims=True)
        ),
    )
    assert np.mean(inputs[chosen] == 99) == np.mean(u_action[chosen] < 0.8)
    np.testing.assert_array_equal(inputs[~chosen], ids[~chosen])
    middle = chosen & (u_action >= 0.8) & (u_action < 0.9)
    np.testing.assert_array_equal(inputs[middle], random_ids[middle])
    for mistake in q.ASSIGNMENT.question("mlm_corrupt").mistakes:
        wrong = mistake.produce(ids, u_choose, u_action, random_ids, 99, 0.15)
        assert (wrong[0] != inputs).any() or (wrong[1] != weights).any()
