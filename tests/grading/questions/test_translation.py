"""The evaluation probes of the encoder-decoder questions: one per real target token, with the
decoder input cut after its step, so a decoder that looks ahead cannot copy the answer."""

import numpy as np

from seqcourse.data.tokens import decoder_io
from seqcourse.grading.questions._translation import teacher_forced_probes
from seqcourse.grading.verdicts import METRICS

accuracy = METRICS["masked_accuracy"][0]


def _batch():
    decoder_input, decoder_output = decoder_io([[5, 6, 7], [8], [9, 4]], 2, 3)
    source = np.array([[4, 5, 0], [6, 0, 0], [7, 8, 9]], dtype=np.int32)
    return source, decoder_input, decoder_output


def test_one_probe_per_real_token_with_the_input_cut_after_its_step():
    source, decoder_input, decoder_output = _batch()
    (probe_source, probe_input), labels = teacher_forced_probes(
        source, decoder_input, decoder_output
    )
    assert len(labels) == np.count_nonzero(decoder_output) == 9
    assert ((labels != 0).sum(axis=1) == 1).all()
    # Probe 1 is row 0, step 1: reads <s> y_1 and must give y_2.
    np.testing.assert_array_equal(probe_input[1], [2, 5, 0, 0])
    np.testing.assert_array_equal(labels[1], [0, 6, 0, 0])
    np.testing.assert_array_equal(probe_source[1], source[0])
    assert probe_input.dtype == labels.dtype == np.int32


def test_a_decoder_that_looks_ahead_scores_on_full_inputs_but_not_on_probes():
    source, decoder_input, decoder_output = _batch()
    vocab = 10

    def peek(inputs):  # predicts y_t by reading decoder_input[t + 1]; </s> where that is 0
        ahead = np.zeros_like(inputs)
        ahead[:, :-1] = inputs[:, 1:]
        return np.eye(vocab)[np.where(ahead == 0, 3, ahead)]

    assert accuracy(decoder_output, peek(decoder_input)) == 1.0
    (_, probe_input), labels = teacher_forced_probes(source, decoder_input, decoder_output)
    # On probes it sees only padding after step t: right only where y_t is </s> (3 of 9 tokens).
    assert accuracy(labels, peek(probe_input)) == 3 / 9
