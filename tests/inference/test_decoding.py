"""seqcourse.inference.decoding: greedy and beam search against brute force, and the
scheduled-sampling schedules."""

import itertools

import numpy as np
import pytest

from seqcourse.inference import decoding
from seqcourse.reference import log_softmax

START, END = 4, 3


def test_strip_end_cuts_at_the_end_token_or_padding():
    rows = decoding.strip_end([[5, 6, END, 7], [5, 0, 0, 0], [5, 6, 7, 8]], END)
    assert rows == [[5, 6], [5], [5, 6, 7, 8]]


def _table_step(table):
    """A toy decoder whose next-token log-probabilities depend on the step and the last token:
    ``table[t, last_token]`` (T, V, V). The state is the step counter, one per row."""

    def step(tokens, states):
        (t,) = states
        return table[t, tokens], [t + 1]

    return step


def _random_table(seed, steps=4, vocab=5):
    rng = np.random.default_rng(seed)
    return log_softmax(rng.normal(size=(steps, vocab, vocab)) * 2)


def _brute_force_best(table, max_len):
    """The most probable output (up to and including the first END) by enumerating them all."""
    vocab = table.shape[1]
    best, best_score = None, -np.inf
    for sequence in itertools.product(range(vocab), repeat=max_len):
        last, score, output = START, 0.0, []
        for t, token in enumerate(sequence):
            score += table[t, last, token]
            output.append(token)
            last = token
            if token == END:
                break
        if score > best_score + 1e-12:
            best, best_score = output, score
    return best, best_score


def test_greedy_decode_follows_the_argmax_and_sums_its_log_probs():
    table = _random_table(0)
    ids, log_prob = decoding.greedy_decode(_table_step(table), [np.zeros(1, int)], START, END, 4)
    last, expected, total = START, [], 0.0
    for t in range(4):
        token = int(table[t, last].argmax())
        expected.append(token)
        total += table[t, last, token]
        last = token
        if token == END:
            break
    assert decoding.strip_end(ids, END)[0] == [x for x in expected if x != END]
    assert log_prob[0] == pytest.approx(total)


@pytest.mark.parametrize("seed", range(6))
def test_wide_beam_search_finds_the_most_probable_output(seed):
    table = _random_table(seed)
    vocab, max_len = table.shape[1], table.shape[0]
    ids, score = decoding.beam_search(
        _table_step(table), [np.zeros(1, int)], START, END, max_len, width=vocab ** (max_len - 1)
    )
    best, best_score = _brute_force_best(table, max_len)
    assert score[0] == pytest.approx(best_score)
    assert ids[0, : len(best)].tolist() == best


@pytest.mark.parametrize("seed", range(4))
def test_beam_of_width_one_is_greedy(seed):
    table = _random_table(seed)
    states = [np.zeros(3, int)]
    greedy = decoding.greedy_decode(_table_step(table), states, START, END, 4)
    beam = decoding.beam_search(_table_step(table), states, START, END, 4, width=1)
    np.testing.assert_array_equal(greedy[0], beam[0])
    np.testing.assert_allclose(greedy[1], beam[1])


def test_beam_search_beats_greedy_when_the_best_first_token_leads_nowhere():
    # First token: 5 (p=0.6) or 6 (p=0.4). After 5 every token is equally likely; after 6, END is
    # nearly certain. Greedy takes 5; the best sequence is 6 END (0.4 * 0.99 > 0.6 * max 1/7).
    vocab = 7
    table = np.full((3, vocab, vocab), np.log(1 / vocab))
    table[0, START] = np.log(np.full(vocab, 1e-9))
    table[0, START, 5], table[0, START, 6] = np.log(0.6), np.log(0.4)
    table[1, 6] = np.log(np.full(vocab, 0.01 / (vocab - 1)))
    table[1, 6, END] = np.log(0.99)
    step, states = _table_step(table), [np.zeros(1, int)]
    greedy, greedy_lp = decoding.greedy_decode(step, states, START, END, 3)
    beam, beam_lp = decoding.beam_search(step, states, START, END, 3, width=2)
    assert greedy[0, 0] == 5 and beam[0, :2].tolist() == [6, END]
    assert beam_lp[0] > greedy_lp[0]


def test_beam_search_step_keeps_finished_beams_and_ranks_candidates():
    scores = np.array([[-1.0, -2.0]])
    finished = np.array([[False, True]])
    log_probs = np.log(np.array([[[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]]))
    new_scores, parents, tokens = decoding.beam_search_step(scores, finished, log_probs, end_id=2)
    # Candidates: beam 0 -> -1 + log(.5), -1 + log(.3), -1 + log(.2); beam 1 (finished) -> -2.
    # The finished beam (-2) outranks -1 + log(.3) = -2.20 and survives as itself.
    np.testing.assert_allclose(new_scores, [[-1 + np.log(0.5), -2.0]])
    assert parents.tolist() == [[0, 1]] and tokens.tolist() == [[0, 2]]
    new_scores, parents, tokens = decoding.beam_search_step(
        np.array([[-5.0, -2.0]]), finished, log_probs, end_id=2
    )
    assert parents[0, 0] == 1 and tokens[0, 0] == 2 and new_scores[0, 0] == -2.0


def test_beam_search_rejects_bad_shapes_and_arguments():
    with pytest.raises(ValueError, match=r"\(B, K, V\)"):
        decoding.beam_search_step(np.zeros((1, 2)), np.zeros((1, 2), bool), np.zeros((1, 3, 4)), 1)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        decoding.beam_search_step(np.zeros((1, 2)), np.zeros((1, 2), bool), np.zeros((1, 2, 4)), 9)
    step = _table_step(_random_table(0))
    with pytest.raises(ValueError, match="width"):
        decoding.beam_search(step, [np.zeros(1, int)], START, END, 3, width=0)
    with pytest.raises(ValueError, match="first axis"):
        decoding.beam_search(step, [np.zeros(2, int), np.zeros(3)], START, END, 3, width=2)


def test_teacher_forcing_schedules_start_near_one_and_decay():
    steps = np.arange(0, 2000, 100)
    for schedule, options in (
        ("linear", {"slope": 1e-3, "floor": 0.1}),
        ("exponential", {"k": 0.999}),
        ("inverse_sigmoid", {"k": 200}),
    ):
        p = decoding.teacher_forcing_probability(steps, schedule, **options)
        assert p[0] > 0.99 and np.all(np.diff(p) <= 0) and p[-1] < 0.2, schedule
    assert decoding.teacher_forcing_probability(5000, "linear", slope=1e-3, floor=0.1) == 0.1
    k = 200
    assert decoding.teacher_forcing_probability(k * np.log(k), k=k) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="k >= 1"):
        decoding.teacher_forcing_probability(1, "inverse_sigmoid", k=0.5)
    with pytest.raises(ValueError, match="schedule must be"):
        decoding.teacher_forcing_probability(1, "cosine")
