"""seqcourse.plotting: each figure draws what its docstring promises and rejects bad input."""

import matplotlib.pyplot as plt  # tests/conftest.py selects the headless Agg backend
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from seqcourse import plotting


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _patches(ax, kind):
    return [p for p in ax.patches if isinstance(p, kind)]


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_unrolled_rnn_has_one_column_per_step_and_shared_weight_labels(ax, steps):
    plotting.draw_unrolled_rnn(ax, steps=steps, folded=False)
    texts = _texts(ax)
    for t in range(1, steps + 1):
        for name in ("x", "h", "y"):
            assert f"${name}_{{{t}}}$" in texts
    assert f"$x_{{{steps + 1}}}$" not in texts
    assert "$h_0$" in texts
    # W and V once per step; U once per step (h_{t-1} -> h_t, starting from h_0).
    assert texts.count("W") == texts.count("V") == texts.count("U") == steps
    # x, h, y per step plus h_0; 3 arrows per step.
    assert len(_patches(ax, FancyBboxPatch)) == 3 * steps + 1
    assert len(_patches(ax, FancyArrowPatch)) == 3 * steps


def test_folded_view_adds_the_rolled_up_cell_with_its_loop(ax):
    plotting.draw_unrolled_rnn(ax, steps=2, folded=True)
    texts = _texts(ax)
    assert {"$x_t$", "$h_t$", "$y_t$", "="} <= set(texts)
    assert texts.count("U") == 2 + 1


@pytest.mark.parametrize("steps", [0, 13, 2.5, True])
def test_unrolled_rnn_rejects_bad_steps(ax, steps):
    with pytest.raises(ValueError, match="steps must be an int"):
        plotting.draw_unrolled_rnn(ax, steps=steps)


@pytest.mark.parametrize("pattern", list(plotting.IO_PATTERNS))
def test_io_pattern_draws_its_inputs_and_outputs(ax, pattern):
    plotting.draw_io_pattern(ax, pattern)
    n_in, n_out, delayed = plotting.IO_PATTERNS[pattern]
    n_steps = n_in + n_out if delayed else max(n_in, n_out)
    boxes = _patches(ax, FancyBboxPatch)
    # Boxes sit at y = 0 (inputs), 1 (states), 2 (outputs): count them by row.
    rows = [round(b.get_y() + b.get_height() / 2) for b in boxes]
    assert rows.count(0) == n_in
    assert rows.count(1) == n_steps
    assert rows.count(2) == n_out
    recurrent_arrows = n_steps - 1
    assert len(_patches(ax, FancyArrowPatch)) == recurrent_arrows + n_in + n_out


def test_one_to_one_has_no_recurrence(ax):
    plotting.draw_io_pattern(ax, "one-to-one")
    # One input arrow, one output arrow, no state-to-state arrow.
    assert len(_patches(ax, FancyArrowPatch)) == 2


def test_io_pattern_names_the_known_patterns_on_error(ax):
    with pytest.raises(ValueError, match="one-to-many"):
        plotting.draw_io_pattern(ax, "two-to-one")


def test_plot_windows_places_input_and_target_bars_like_make_windows(ax):
    series = np.arange(40.0)
    window, horizon, stride = 5, 2, 3
    plotting.plot_windows(ax, series, window, horizon, stride, n_windows=4, start=2)
    bars = _patches(ax, Rectangle)
    inputs = [b for b in bars if b.get_width() == pytest.approx(window - 0.2)]
    targets = [b for b in bars if b.get_width() == pytest.approx(horizon - 0.2)]
    assert len(inputs) == len(targets) == 4
    for i, (inp, tgt) in enumerate(zip(inputs, targets, strict=True)):
        first = 2 + i * stride
        assert inp.get_x() == pytest.approx(first - 0.4)
        assert tgt.get_x() == pytest.approx(first + window - 0.4)
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xdata(), np.arange(2, 2 + 3 * stride + window + horizon))


def test_plot_windows_refuses_windows_that_do_not_fit(ax):
    with pytest.raises(ValueError, match="need 16 values, the series has 10"):
        plotting.plot_windows(ax, np.zeros(10), 6, 1, 3, n_windows=4)
    with pytest.raises(ValueError, match="series must be 1-D"):
        plotting.plot_windows(ax, np.zeros((10, 2)), 3)
    with pytest.raises(ValueError, match="horizon must be a positive int"):
        plotting.plot_windows(ax, np.zeros(10), 3, horizon=0)


def test_plot_hidden_states_shows_units_as_rows(ax):
    states = np.linspace(-1, 1, 12).reshape(4, 3)  # (T=4, H=3)
    image = plotting.plot_hidden_states(ax, states)
    np.testing.assert_allclose(image.get_array(), states.T)
    assert image.get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match=r"pass states\[i\]"):
        plotting.plot_hidden_states(ax, np.zeros((2, 4, 3)))


def test_plot_chronological_split_continues_positions_and_labels_sizes(ax):
    plotting.plot_chronological_split(ax, np.ones(5), np.ones(2), np.ones(3))
    starts = [line.get_xdata()[0] for line in ax.lines]
    assert starts == [0, 5, 7]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["train (5)", "validation (2)", "test (3)"]
    with pytest.raises(ValueError, match="validation must be a non-empty"):
        plotting.plot_chronological_split(ax, np.ones(5), np.ones(0), np.ones(3))


def test_plot_padding_mask_hatches_exactly_the_masked_cells(ax):
    padded = np.array([[3, 1, 0], [7, 0, 0]])
    mask = padded != 0
    plotting.plot_padding_mask(ax, padded, mask)
    cells = _patches(ax, Rectangle)
    assert len(cells) == padded.size
    assert sum(c.get_hatch() == "//" for c in cells) == int((~mask).sum())
    with pytest.raises(ValueError, match="same shape"):
        plotting.plot_padding_mask(ax, padded, mask[:, :2])


@pytest.mark.parametrize(("layers", "steps"), [(1, 1), (2, 3), (3, 4)])
def test_stacked_rnn_draws_one_state_per_layer_and_step(ax, layers, steps):
    plotting.draw_stacked_rnn(ax, layers=layers, steps=steps)
    texts = _texts(ax)
    for t in range(1, steps + 1):
        assert f"$x_{{{t}}}$" in texts and f"$y_{{{t}}}$" in texts
        for layer in range(1, layers + 1):
            assert f"$h_{{{t}}}^{{({layer})}}$" in texts
    assert f"$h_{{1}}^{{({layers + 1})}}$" not in texts
    assert len(_patches(ax, FancyBboxPatch)) == steps * (layers + 2)
    # per step: one arrow into each layer and one into y; recurrences between neighbouring steps
    assert len(_patches(ax, FancyArrowPatch)) == steps * (layers + 1) + (steps - 1) * layers


@pytest.mark.parametrize("steps", [1, 4])
def test_bidirectional_rnn_has_two_state_rows_running_opposite_ways(ax, steps):
    plotting.draw_bidirectional_rnn(ax, steps=steps)
    texts = _texts(ax)
    assert sum("overrightarrow" in t for t in texts) == steps
    assert sum("overleftarrow" in t for t in texts) == steps
    assert len(_patches(ax, FancyBboxPatch)) == 4 * steps
    assert len(_patches(ax, FancyArrowPatch)) == 4 * steps + 2 * (steps - 1)
    if steps > 1:
        recurrences = [
            p for p in _patches(ax, FancyArrowPatch) if np.isclose(p._posA_posB[0][1], 2.4)
        ]
        # the backward recurrence points right to left
        assert all(p._posA_posB[0][0] > p._posA_posB[1][0] for p in recurrences)


@pytest.mark.parametrize(
    ("draw", "kwargs"),
    [
        (plotting.draw_stacked_rnn, {"layers": 0}),
        (plotting.draw_stacked_rnn, {"steps": 9}),
        (plotting.draw_bidirectional_rnn, {"steps": True}),
    ],
)
def test_deep_and_bidirectional_diagrams_reject_bad_sizes(ax, draw, kwargs):
    with pytest.raises(ValueError, match="must be an int between 1 and"):
        draw(ax, **kwargs)


def test_receptive_field_figure_fills_the_field_of_the_chosen_step_at_every_level(ax):
    layers = [(9, 1), (4, 4)]
    plotting.draw_receptive_field(ax, layers, 40, 3, names=["x", "conv", "pool"])
    rows = {}
    for patch in ax.patches:
        assert isinstance(patch, Rectangle)
        filled = patch.get_facecolor()[:3] != (1.0, 1.0, 1.0)
        rows.setdefault(round(patch.get_y(), 3), []).append((patch.get_x(), filled))
    lengths = [40, 32, 8]  # input, Conv1D(9) "valid", MaxPooling1D(4)
    fields = [(12, 24), (12, 16), (3, 4)]
    for (_, squares), length, (start, stop) in zip(
        sorted(rows.items()), lengths, fields, strict=True
    ):
        squares.sort()
        assert len(squares) == length
        assert [i for i, (_, filled) in enumerate(squares) if filled] == list(range(start, stop))
    assert {"x", "conv", "pool", "12 of 40", "4 of 32", "1 of 8"} <= set(_texts(ax))


def test_receptive_field_figure_rejects_a_step_outside_the_top_row(ax):
    with pytest.raises(ValueError, match=r"index must be a top step in 0\.\.7"):
        plotting.draw_receptive_field(ax, [(9, 1), (4, 4)], 40, 8)
    with pytest.raises(ValueError, match="names must label 3 rows"):
        plotting.draw_receptive_field(ax, [(9, 1), (4, 4)], 40, 0, names=["x"])


def test_bptt_graph_sends_the_gradient_back_through_every_step_and_sums_it(ax):
    plotting.draw_bptt_graph(ax, 3)
    texts = set(_texts(ax))
    assert {"$h_0$", "$h_{1}$", "$h_{2}$", "$h_{T}$", "$x_{T}$", "$L$", r"$\delta \hat y$"} <= texts
    assert {r"$\delta a_{1} U^{\top}$", r"$\delta a_{T} U^{\top}$"} <= texts
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    red = [a for a in arrows if a.get_edgecolor()[:3] != (0.2, 0.2, 0.2)]
    dashed = [a for a in red if a.get_linestyle() == "--"]
    dotted = [a for a in red if a.get_linestyle() == ":"]
    assert len(dashed) == 3 + 2  # back through every step, then y^ -> h_T and L -> y^
    assert len(dotted) == 3  # one term per step into the shared weights' gradients
    with pytest.raises(ValueError, match="between 2 and 8"):
        plotting.draw_bptt_graph(ax, 1)
