"""Model questions graded by free-running greedy decoding (spec.Decoding): the sandbox decodes
hidden sources from <s>, the model fed only its own outputs; the parent scores exact match or BLEU
against baselines. A decoder that learned to read the teacher's next token decodes nothing."""

import numpy as np
import pytest

from seqcourse.grading import modelprobe, runner
from seqcourse.grading.check import message
from seqcourse.grading.registry import register
from seqcourse.grading.spec import Assignment, Baseline, Decoding, ModelData, ModelQuestion
from seqcourse.grading.verdicts import model_metric, sequences
from tests.grading.helpers import grade_sources, results, scores

START, END, WIDTH = 1, 2, 6


def reverse_task(n: int, seed: int):
    """Sources of 2..5 tokens (3..9) and their reversal as teacher-forcing arrays, padded with 0:
    ``source (n, 5)``, ``decoder_input (n, 6)`` = <s> + target, ``decoder_output (n, 6)`` =
    target + </s>."""
    rng = np.random.default_rng(seed)
    source = np.zeros((n, WIDTH - 1), np.int32)
    decoder_input = np.zeros((n, WIDTH), np.int32)
    decoder_output = np.zeros((n, WIDTH), np.int32)
    for row, length in enumerate(rng.integers(2, WIDTH, size=n)):
        tokens = rng.integers(3, 10, size=length)
        source[row, :length] = tokens
        decoder_input[row, 0] = START
        decoder_input[row, 1 : length + 1] = tokens[::-1]
        decoder_output[row, :length] = tokens[::-1]
        decoder_output[row, length] = END
    return source, decoder_input, decoder_output


def _reverse_data(fast: bool) -> ModelData:
    source, decoder_input, decoder_output = reverse_task(3000, seed=11)
    held_source, _, held_output = reverse_task(300, seed=12)
    references = np.where(held_output == END, 0, held_output)  # no </s> in the references
    unused = np.zeros((len(held_source), WIDTH), np.int32)  # the child writes its own tokens
    return ModelData((source, decoder_input), decoder_output, (held_source, unused), references)


def copy_source(data: ModelData) -> np.ndarray:
    """The source itself as the output: right only for palindromes."""
    return data.x_eval[0].astype(np.int64)


REVERSER = ModelQuestion(
    "toy_reverser",
    2,
    "build_reverser",
    "an encoder-decoder that reverses a sequence, graded by greedy decoding",
    _reverse_data,
    lambda data: {"vocab": 10},
    metric="exact_match",
    epochs=6,
    batch_size=32,
    budget=12.0,
    budget_fast=12.0,
    baselines=(Baseline("copy of the source", copy_source),),
    margin=0.5,
    requires=("GRU", "LSTM"),
    technique="a recurrent encoder-decoder",
    decode=Decoding(START, END, WIDTH),
)
TOY_DECODING = register(Assignment("toy_decoding", (REVERSER,), cell_timeout=120.0))

HONEST = """\
import keras


def build_reverser(vocab):
    source = keras.Input((None,), dtype="int32")
    decoder_input = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(vocab, 16, mask_zero=True)(source)
    _, state = keras.layers.GRU(64, return_state=True)(embedded)
    read = keras.layers.Embedding(vocab, 16, mask_zero=True)(decoder_input)
    states = keras.layers.GRU(64, return_sequences=True)(read, initial_state=state)
    model = keras.Model([source, decoder_input], keras.layers.Dense(vocab)(states))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
"""

# The teacher-forcing exploit: step t reads decoder input t + 1, which under teacher forcing *is*
# the label of step t. Teacher-forced it is nearly perfect; decoding, it reads padding.
PEEKING = HONEST.replace(
    "states = keras.layers.GRU(64, return_sequences=True)(read, initial_state=state)",
    "ahead = keras.layers.Lambda(lambda t: keras.ops.roll(t, -1, axis=1))(read)\n"
    "    states = keras.layers.GRU(64, return_sequences=True)(ahead, initial_state=state)",
)


def test_sequences_cut_at_padding_and_sequence_metrics_read_them():
    assert sequences(np.array([[3, 4, 0, 5], [0, 1, 1, 1], [7, 7, 7, 7]])) == [[3, 4], [], [7] * 4]
    references = np.array([[3, 4, 5, 6, 7, 0], [6, 0, 0, 0, 0, 0]])
    decoded = np.array([[3, 4, 5, 6, 7, 0, 0], [6, 6, 0, 0, 0, 0, 0]])
    assert model_metric("exact_match", references, decoded) == (0.5, "")
    bleu, problem = model_metric("bleu", references, decoded)
    assert problem == "" and 0 < bleu < 1
    _, problem = model_metric("exact_match", references, decoded[:1])
    assert "expected (2, L)" in problem
    _, problem = model_metric("bleu", references, decoded.astype(float) + 0.5)
    assert "token ids" in problem


def test_decoding_questions_use_sequence_metrics_and_the_task_sends_no_references():
    with pytest.raises(ValueError, match="sequence metric"):
        ModelQuestion(
            "bad", 1, "f", "", _reverse_data, dict, metric="accuracy", threshold=0.5,
            decode=Decoding(START, END, WIDTH),
        )  # fmt: skip
    prepared = runner.Prepared(TOY_DECODING, fast=True)
    task, arrays = prepared.task([REVERSER], ["x = 1"], set())
    entry = task["questions"][0]
    assert entry["decode"] == {"start_id": START, "end_id": END, "max_len": WIDTH, "slot": "1"}
    references = prepared.model_data["toy_reverser"].y_eval
    assert not any(a.shape == references.shape and (a == references).all() for a in arrays.values())
    assert prepared.baselines["toy_reverser"][0][0] == "copy of the source"
    assert 0 < prepared.baselines["toy_reverser"][0][1] < 0.2  # palindromes only


@pytest.mark.slow  # trains Keras models
def test_greedy_decode_matches_the_course_decoder_on_a_trained_model():
    keras = pytest.importorskip("keras")
    from seqcourse.inference.decoding import greedy_decode, strip_end

    namespace: dict = {}
    exec(HONEST, namespace)
    keras.utils.set_random_seed(0)
    model = namespace["build_reverser"](10)
    data = _reverse_data(True)
    model.fit(list(data.x_train), data.y_train, epochs=1, batch_size=32, verbose=0)
    source = data.x_eval[0][:40]

    def step(tokens, states):
        """The course's step interface over the whole-prefix model: the prefix is the state."""
        (prefix,) = states
        prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
        padded = np.pad(prefix, ((0, 0), (0, WIDTH - prefix.shape[1])))
        scores = model.predict([source, padded], verbose=0)[:, prefix.shape[1] - 1]
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return log_probs, [prefix]

    expected, _ = greedy_decode(step, [np.zeros((len(source), 0), np.int64)], START, END, WIDTH)
    ours = modelprobe.greedy_decode(model, [source, np.zeros_like(source)], 1, START, END, WIDTH)
    assert sequences(ours) == strip_end(expected, END)
    assert sum(len(row) for row in sequences(ours)) > len(source)  # it decoded real sequences


@pytest.mark.slow
def test_check_decodes_and_names_the_baseline():
    namespace: dict = {}
    exec(HONEST, namespace)
    text = message(REVERSER, namespace)
    assert "decodes [(4, 5), (4, 6)] greedily" in text, text
    assert "copy of the source" in text and "50%" in text


@pytest.mark.slow
def test_decoding_grades_an_encoder_decoder_and_gives_the_peeking_decoder_zero(tmp_path):
    out = grade_sources(tmp_path, TOY_DECODING, honest=HONEST, peeking=PEEKING)
    assert scores(out, "honest") == {"toy_reverser": 2.0}, results(out, "honest")
    assert scores(out, "peeking") == {"toy_reverser": 0.0}, results(out, "peeking")
    feedback = results(out, "peeking")["tests"][0]["output"]
    assert "best baseline (copy of the source)" in feedback and "needed: at least" in feedback
