"""The answer key of ``16_image_captioning`` is right: the grid attention against the chapter's
Keras decoder, the decoding step against Keras's SimpleRNNCell, the context's backward pass against
tf.GradientTape, the parameter count against a built layer; every typical mistake differs from the
right answer."""

from collections import Counter

import numpy as np
import tensorflow as tf

import seqcourse  # noqa: F401  (quiets TensorFlow before keras loads)
from seqcourse.grading.questions import captioning as q
from seqcourse.models.attention import BahdanauAttention, BahdanauDecoder


def _mistakes_differ(name, args, right):
    for mistake in q.ASSIGNMENT.question(name).mistakes:
        wrong = mistake.produce(*args)
        gap = max(
            np.abs(np.asarray(w) - np.asarray(r)).max() for w, r in zip(wrong, right, strict=True)
        )
        assert gap > 1e-3, mistake.hint


def test_grid_attention_against_the_chapters_decoder_and_its_mask():
    args = q._grid_case(np.random.default_rng(0), 3, 3, 4, 5, 6, 7).args
    annotations, state, w_a, w_s, v, mask = args
    context, weights = q.grid_attention(*args)
    assert context.shape == (3, 5) and weights.shape == (3, 3, 4)
    np.testing.assert_allclose(weights.sum(axis=(1, 2)), 1.0)
    assert np.all(weights[~mask] < 1e-9)
    attention = BahdanauAttention(7)
    attention.build((None, 1, 6), (None, 12, 5))
    attention.set_weights([w_s, w_a, v])  # W_q, W_k, v
    flat = annotations.reshape(3, 12, 5).astype("float32")
    keras_context, keras_weights = attention.attend(
        state[:, None].astype("float32"), attention.project_keys(flat), flat
    )
    keras_context, keras_weights = keras_context[:, 0], keras_weights[:, 0]
    # the first row is a whole image: no mask, so the Keras layer computes the same thing
    np.testing.assert_allclose(np.asarray(keras_weights)[0], weights[0].ravel(), atol=1e-5)
    np.testing.assert_allclose(np.asarray(keras_context)[0], context[0], atol=1e-5)
    _mistakes_differ("grid_attention", args, (context, weights))


def test_caption_step_against_keras_simple_rnn_cell():
    import keras

    args = q._step_case(np.random.default_rng(1), 4, 7, 3, 6, 5, 8, 4).args
    token, state, annotations, weights = args
    log_probs, new_state, alpha = q.caption_step(*args)
    assert log_probs.shape == (4, 7) and new_state.shape == (4, 8) and alpha.shape == (4, 6)
    np.testing.assert_allclose(np.exp(log_probs).sum(-1), 1.0)
    context = np.einsum("bp,bpc->bc", alpha, annotations)
    cell = keras.layers.SimpleRNNCell(8)
    cell.build((None, 3 + 5))
    cell.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    inputs = np.concatenate([weights["embedding"][token], context], -1).astype("float32")
    keras_state, _ = cell(inputs, [state.astype("float32")])
    np.testing.assert_allclose(np.asarray(keras_state), new_state, atol=1e-5)
    # attention is queried with the previous state: the grid question's weights on a 1 x P grid
    grid = q.grid_attention(
        annotations[:, None],
        state,
        weights["annotation_kernel"],
        weights["state_kernel"],
        weights["v"],
        np.ones((4, 1, 6), bool),
    )[1]
    np.testing.assert_allclose(grid[:, 0], alpha)
    _mistakes_differ("caption_step", args, (log_probs, new_state, alpha))


def test_context_backward_against_gradient_tape():
    args = q._backward_case(np.random.default_rng(2), 3, 6, 4).args
    scores, annotations, d_context, mask = args
    d_scores, d_annotations = q.context_backward(*args)
    e = tf.Variable(scores)
    a = tf.Variable(annotations)
    with tf.GradientTape() as tape:
        alpha = tf.nn.softmax(tf.where(mask, e, tf.constant(-1e9, tf.float64)), axis=-1)
        context = tf.einsum("bp,bpc->bc", alpha, a)
        loss = tf.reduce_sum(context * d_context)  # dL/dz = d_context
    tape_e, tape_a = tape.gradient(loss, [e, a])
    np.testing.assert_allclose(d_scores, tape_e.numpy(), atol=1e-10)
    np.testing.assert_allclose(d_annotations, tape_a.numpy(), atol=1e-10)
    assert np.all(d_scores[~mask] == 0)
    _mistakes_differ("context_backward", args, (d_scores, d_annotations))


def test_decoder_parameters_match_a_built_layer():
    decoder = BahdanauDecoder(128, 64)
    decoder.build((None, 9, 32), (None, 128), (None, 64, 66), (None, 64))
    assert q.decoder_parameters() == decoder.count_params()
    for mistake in q.ASSIGNMENT.question("decoder_parameters").mistakes:
        assert mistake.produce() != decoder.count_params()


def test_captioner_data_salts_only_the_held_out_images(monkeypatch):
    plain = q.caption_data("captioner", True)
    monkeypatch.setenv("SEQCOURSE_GRADING_SALT", "another term")
    salted = q.caption_data("captioner", True)
    images, decoder_input = plain.x_train
    assert images.shape == (q.CAPTION_IMAGES, 24, 24, 3)
    assert decoder_input.shape == plain.y_train.shape == (q.CAPTION_IMAGES, 9)
    # greedy decoding may write as many tokens as the longest training caption holds
    assert q.CAPTIONER.decode.max_len == plain.y_train.shape[1] == plain.y_eval.shape[1]
    np.testing.assert_array_equal(images, salted.x_train[0])
    assert not np.array_equal(plain.x_eval[0], salted.x_eval[0])
    assert not plain.x_eval[1].any()  # the decoder's own tokens replace these
    # held-out references: no <s>, no </s>, ids of the training vocabulary
    assert not np.isin(plain.y_eval, [2, 3]).any() and plain.y_eval.max() < decoder_input.max() + 1
    assert q.captioner_sizes(plain) == {
        "vocab_size": int(plain.y_train.max()) + 1,
        "image_size": 24,
    }


def test_captioner_baselines_read_the_training_captions():
    data = q.caption_data("captioner", True)
    training = q.training_sequences(data)
    frequent = q.most_frequent_sequence(data)
    assert len({tuple(row) for row in frequent}) == 1
    counts = Counter(training)
    assert counts[tuple(t for t in frequent[0] if t)] == max(counts.values())
    # asked about training images themselves, the nearest-image lookup returns their own captions
    echo = q.ModelData(
        data.x_train, data.y_train, (data.x_train[0][:20], data.x_train[1][:20]), data.y_train[:20]
    )
    looked_up = q.nearest_image_caption(echo)
    for row, caption in zip(looked_up, training[:20], strict=True):
        assert tuple(t for t in row if t) == caption


def test_captioner_without_dot_attention_is_told_what_is_missing():
    from seqcourse.grading import modelprobe
    from seqcourse.grading.verdicts import technique_problem
    from seqcourse.models.captioning import build_captioner

    question = q.ASSIGNMENT.question("captioner")
    data = q.caption_data("captioner", True)
    feed = [data.x_eval[0][:4], data.x_eval[1][:4]]
    # the chapter's Bahdanau captioner attends, but not with the dot product the question asks for
    chapters = build_captioner(q.captioner_sizes(data)["vocab_size"], image_size=24).train
    problem = technique_problem(
        question, modelprobe.describe(chapters), modelprobe.ablation(chapters, feed)
    )
    assert "dot-product attention" in problem and "has none" in problem
