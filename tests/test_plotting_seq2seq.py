"""seqcourse.plotting: the encoder-decoder diagram and the attention heat map."""

import matplotlib.pyplot as plt  # tests/conftest.py selects the headless Agg backend
import numpy as np
import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from seqcourse import plotting


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


@pytest.mark.parametrize("attention", [False, True])
def test_encoder_decoder_diagram_shifts_the_target_by_one(ax, attention):
    source, target = ["twenty", "-", "one"], ["vingt", "et", "un"]
    plotting.draw_encoder_decoder(ax, source, target, attention=attention)
    texts = [t.get_text() for t in ax.texts]
    # decoder inputs <s> y1..yn and outputs y1..yn </s>: every target token twice
    assert texts.count("<s>") == 1 and texts.count("</s>") == 1
    assert all(texts.count(token) == 2 for token in target)
    assert "context c" in texts
    boxes = len([p for p in ax.patches if isinstance(p, FancyBboxPatch)])
    assert boxes == 2 * len(source) + 3 * (len(target) + 1)
    arrows = len([p for p in ax.patches if isinstance(p, FancyArrowPatch)])
    steps = len(target) + 1
    expected = 2 * len(source) - 1 + 2 * steps + 2 * (steps - 1) + 1
    assert arrows == expected + (len(source) if attention else 0)


def test_encoder_decoder_diagram_rejects_empty_or_long_sequences(ax):
    with pytest.raises(ValueError, match="source tokens"):
        plotting.draw_encoder_decoder(ax, [], ["a"])
    with pytest.raises(ValueError, match="target tokens"):
        plotting.draw_encoder_decoder(ax, ["a"], list("abcdefg"))


def test_attention_heat_map_labels_rows_and_columns(ax):
    weights = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
    image = plotting.plot_attention(ax, weights, ["a", "b", "c"], ["x", "y"])
    np.testing.assert_array_equal(image.get_array(), weights)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
    with pytest.raises(ValueError, match="len\\(target\\), len\\(source\\)"):
        plotting.plot_attention(ax, weights.T, ["a", "b", "c"], ["x", "y"])
