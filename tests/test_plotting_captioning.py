"""seqcourse.plotting.plot_image_attention: an image under one decoding step's attention
(chapter 16)."""

import matplotlib.pyplot as plt  # tests/conftest.py selects the headless Agg backend
import numpy as np
import pytest

from seqcourse import plotting


@pytest.fixture
def ax():
    fig, axes = plt.subplots()
    yield axes
    plt.close(fig)


def test_the_overlay_is_the_grid_of_weights_over_the_image(ax):
    image = np.random.default_rng(0).uniform(size=(32, 32, 3))
    weights = np.zeros(16)
    weights[6] = 0.7  # cell (1, 2) of a 4 x 4 grid
    weights[9] = 0.3  # cell (2, 1)
    overlay = plotting.plot_image_attention(ax, image, weights, "circle")
    grid = overlay.get_array()
    assert grid.shape == (4, 4)
    assert grid[1, 2] == pytest.approx(0.7) and grid[2, 1] == pytest.approx(0.3)
    assert overlay.get_extent() == [0, 32, 32, 0]  # the grid spans the whole image
    assert overlay.norm.vmax == pytest.approx(0.7)  # scaled to the step's largest weight
    background = ax.get_images()[0].get_array()
    np.testing.assert_allclose(background, image.mean(axis=2))  # the image, in grey
    assert ax.get_title() == "circle"
    # the same weights as a (g, g) grid draw the same overlay
    again = plotting.plot_image_attention(ax, image, weights.reshape(4, 4))
    np.testing.assert_array_equal(again.get_array(), grid)


def test_bad_images_and_grids_are_named(ax):
    with pytest.raises(ValueError, match="image must have shape"):
        plotting.plot_image_attention(ax, np.zeros((32, 32)), np.ones(16) / 16)
    with pytest.raises(ValueError, match="square grid"):
        plotting.plot_image_attention(ax, np.zeros((32, 32, 3)), np.ones(15) / 15)
