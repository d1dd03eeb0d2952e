"""seqcourse.plotting.draw_gru_cell, draw_lstm_cell and plot_learning_curves (chapters 4, 5, 7)."""

import matplotlib.pyplot as plt  # tests/conftest.py selects the headless Agg backend
import numpy as np
import pytest
from matplotlib.patches import Circle, FancyBboxPatch

from seqcourse import plotting


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def test_gru_cell_shows_both_gates_the_candidate_and_keras_update_rule(ax):
    plotting.draw_gru_cell(ax)
    texts = [t.get_text() for t in ax.texts]
    assert {"$h_{t-1}$", "$h_t$", "$1 - z_t$"} <= set(texts)
    assert any("update $z_t$" in t for t in texts)
    assert any("reset $r_t$" in t for t in texts)
    assert any("candidate" in t for t in texts)
    # Keras's convention: z multiplies the old state, 1 - z the candidate.
    assert r"$z_t \odot h_{t-1}$" in texts
    assert r"$(1 - z_t) \odot \tilde h_t$" in texts
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 3  # two products and one sum
    assert len([p for p in ax.patches if isinstance(p, FancyBboxPatch)]) == 6


def test_learning_curves_plot_train_and_validation_per_epoch(ax):
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.9, 1.0]}
    line = plotting.plot_learning_curves(ax, history, "baseline", color="C3")
    assert len(ax.lines) == 2
    val, train = ax.lines
    assert val is line
    np.testing.assert_array_equal(val.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(val.get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(train.get_ydata(), history["loss"])
    assert train.get_color() == val.get_color() == "C3"
    assert val.get_label() == "baseline validation"
    assert train.get_linestyle() == "--"


def test_learning_curves_accept_a_history_object(ax):
    class History:
        history = {"mae": [3.0, 2.0], "val_mae": [3.5, 2.5]}

    plotting.plot_learning_curves(ax, History(), metric="mae")
    assert ax.get_ylabel() == "mae"
    assert ax.lines[0].get_label() == "validation"


def test_learning_curves_explain_a_missing_validation_curve(ax):
    with pytest.raises(ValueError, match="validation_data"):
        plotting.plot_learning_curves(ax, {"loss": [1.0, 0.5]})


def test_learning_curves_reject_mismatched_lengths(ax):
    with pytest.raises(ValueError, match="same length"):
        plotting.plot_learning_curves(ax, {"loss": [1.0, 0.5], "val_loss": [1.0]})


def test_lstm_cell_highlights_a_cell_path_of_one_product_and_one_sum(ax):
    plotting.draw_lstm_cell(ax)
    texts = [t.get_text() for t in ax.texts]
    assert {"$c_{t-1}$", "$c_t$", "$h_t$", r"$f_t \odot c_{t-1}$"} <= set(texts)
    for gate in ("forget $f_t$", "input $i_t$", "output $o_t$", "candidate"):
        assert any(gate in t for t in texts), gate
    highlighted = [
        p for p in ax.patches if getattr(p, "get_linewidth", lambda: 0)() >= 3 and p.get_visible()
    ]
    assert len(highlighted) == 3  # c_{t-1} -> × -> + -> c_t, nothing else on the path
    nodes = [t for t in texts if t in {"×", "+", "tanh"}]
    assert sorted(nodes) == sorted(["×", "×", "×", "+", "tanh"])
