"""plotting.plot_confusion_matrix: counts and row shares in the right cells, clear errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from seqcourse import plotting  # noqa: E402


def test_cells_show_counts_and_row_shares():
    matrix = np.array([[30, 10], [5, 55]])  # [[TN, FP], [FN, TP]]
    fig, ax = plt.subplots()
    image = plotting.plot_confusion_matrix(ax, matrix, ["rotten", "fresh"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["30\n75%", "10\n25%", "5\n8%", "55\n92%"]
    np.testing.assert_allclose(image.get_array(), [[0.75, 0.25], [5 / 60, 55 / 60]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rotten", "fresh"]
    assert ax.get_ylabel() == "true" and ax.get_xlabel() == "predicted"
    plt.close(fig)


def test_an_empty_row_is_drawn_as_zero_shares():
    fig, ax = plt.subplots()
    image = plotting.plot_confusion_matrix(ax, np.array([[0, 0], [2, 2]]), ["a", "b"])
    np.testing.assert_allclose(image.get_array(), [[0, 0], [0.5, 0.5]])
    plt.close(fig)


@pytest.mark.parametrize(
    ("matrix", "labels", "message"),
    [
        (np.zeros((2, 3)), ["a", "b"], "square"),
        (np.zeros((2, 2)), ["a"], "name the 2 classes"),
        (np.array([[1, -1], [0, 1]]), ["a", "b"], "counts"),
    ],
)
def test_bad_input_is_named(matrix, labels, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        plotting.plot_confusion_matrix(ax, matrix, labels)
    plt.close(fig)
