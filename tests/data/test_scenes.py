"""seqcourse.data.scenes: generated images whose captions say what the pixels show, and
seqcourse.data.tokens.prepare_captions."""

import numpy as np
import pytest

from seqcourse.data import scenes
from seqcourse.data.scenes import COLOURS, GRID, shape_scenes
from seqcourse.data.tokens import END, START, prepare_captions


@pytest.fixture(scope="module")
def data():
    return shape_scenes(300, size=32, seed=3)


def test_the_same_seed_gives_the_same_images_and_another_seed_others(data):
    again = shape_scenes(300, size=32, seed=3)
    np.testing.assert_array_equal(again.images, data.images)
    assert again.captions == data.captions
    other = shape_scenes(300, size=32, seed=4)
    assert other.captions != data.captions
    assert data.images.shape == (300, 32, 32, 3) and data.images.dtype == np.float32
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0


def _colour_pixels(image, cell, colour, tolerance=0.25):
    """How many pixels of grid cell (row, column) lie within ``tolerance`` of a palette colour."""
    side = image.shape[0] / GRID
    row, column = cell
    block = image[
        int(row * side) : int((row + 1) * side), int(column * side) : int((column + 1) * side)
    ]
    return int((np.abs(block - np.asarray(COLOURS[colour])).max(axis=-1) < tolerance).sum())


def test_the_pixels_show_the_objects_the_caption_names_and_nothing_else(data):
    cells = [(r, c) for r in range(GRID) for c in range(GRID)]
    for image, objects in zip(data.images, data.objects, strict=True):
        occupied = {(row, column): colour for colour, _, row, column in objects}
        for cell in cells:
            for colour in COLOURS:
                found = _colour_pixels(image, cell, colour)
                if occupied.get(cell) == colour:
                    assert found >= 8, (cell, colour, objects)  # the object is drawn there
                else:
                    assert found == 0, (cell, colour, objects)  # and nothing else is


def test_captions_follow_the_grammar_from_the_objects(data):
    counts = {1: "a", 2: "two", 3: "three"}
    assert set(data.kinds) == {"count", "row", "column"}
    for caption, kind, objects in zip(data.captions, data.kinds, data.objects, strict=True):
        words = caption.split()
        if kind == "count":
            assert len({obj[:2] for obj in objects}) == 1 and 1 <= len(objects) <= 3
            assert words[0] == counts[len(objects)] and words[1] == objects[0][0]
            assert words[2] == objects[0][1] + ("s" if len(objects) > 1 else "")
            continue
        (c1, s1, r1, k1), (c2, s2, r2, k2) = objects
        assert (c1, s1) != (c2, s2)
        if kind == "row":  # same row, the left one named first
            assert r1 == r2 and k1 < k2 and words[3:5] == ["left", "of"]
        else:  # same column, the upper one named first
            assert k1 == k2 and r1 < r2 and words[3] == "above"
        assert words[:3] == ["a", c1, s1] and words[-3:] == ["a", c2, s2]


def test_splits_and_kinds(data):
    assert set(data.splits) == {"train", "val", "test"}
    assert 0.7 < (data.splits == "train").mean() < 0.9
    only_rows = shape_scenes(50, seed=0, kinds=("row",))
    assert set(only_rows.kinds) == {"row"}
    assert data.rows("test").sum() == (data.splits == "test").sum()
    with pytest.raises(ValueError, match="no rows in split"):
        data.rows("dev")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a positive int"),
        ({"n": 5, "size": 16}, "size must be an int >= 24"),
        ({"n": 5, "kinds": ("diagonal",)}, "kinds must be a non-empty subset"),
        ({"n": 5, "val": 0.5, "test": 0.5}, "val \\+ test < 1"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shape_scenes(**kwargs)


def test_every_shape_is_drawn_differently():
    areas = {shape: scenes._shape_mask(shape, 40, 20.0, 20.0, 8.0).sum() for shape in scenes.SHAPES}
    assert len(set(areas.values())) == len(areas), areas
    triangle = scenes._shape_mask("triangle", 40, 20.0, 20.0, 8.0)
    widths = triangle.sum(axis=1)[triangle.any(axis=1)]
    assert widths[0] < widths[-1]  # apex at the top, widening downwards


def test_prepare_captions_builds_teacher_forcing_arrays(data):
    arrays = prepare_captions(data.captions, data.splits)
    assert arrays.vocab[:4] == ["", "[UNK]", "<s>", "</s>"]
    assert arrays.decoder_input.shape == arrays.decoder_output.shape
    np.testing.assert_array_equal(arrays.decoder_input[:, 0], START)
    for row, caption in enumerate(data.captions):
        assert arrays.words(arrays.decoder_output[row]) == caption.split()
        n = len(caption.split())
        assert arrays.decoder_output[row, n] == END
        np.testing.assert_array_equal(arrays.decoder_input[row, 1 : n + 1], arrays.targets[row])
    with pytest.raises(ValueError, match="same non-zero length"):
        prepare_captions(["a red circle"], ["train", "test"])
    with pytest.raises(ValueError, match="no rows in the training split"):
        prepare_captions(["a red circle"], ["test"])
