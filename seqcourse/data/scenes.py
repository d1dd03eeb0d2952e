"""Captioned images the course draws itself: coloured shapes on a grid, with captions that say
what, how many, which colour and where (seeded, NumPy only; chapter 16).

No captioned image set small enough to pin from the package registries was found, so the images
are generated. Every caption is a function of the image's content (the objects, their colours,
how many there are and where they stand), written from a small grammar:

- one kind of object, one to three of them: ``"a red circle"``, ``"three blue squares"``;
- two different objects in the same row of the grid: ``"a red circle left of a blue square"``
  (the left one is named first);
- two different objects in the same column: ``"a green triangle above a yellow circle"``
  (the upper one is named first).

So a caption can only be produced by reading the image: which scene type it is, the colours and
shapes, the count, and for two objects their relative position. Positions are cells of a 3 x 3
grid with a small random offset; sizes, colours and the background are jittered, and pixel noise
is added, so no two images of one caption are the same.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["COLOURS", "SHAPES", "CaptionedImages", "shape_scenes"]

# RGB in [0, 1]; distinct hues so that colour is read from the pixels, not guessed.
COLOURS = {
    "red": (0.90, 0.15, 0.15),
    "green": (0.15, 0.75, 0.20),
    "blue": (0.20, 0.35, 0.95),
    "yellow": (0.95, 0.85, 0.15),
}
SHAPES = ("square", "circle", "triangle")
PLURALS = {"square": "squares", "circle": "circles", "triangle": "triangles"}
COUNT_WORDS = {1: "a", 2: "two", 3: "three"}
GRID = 3  # objects stand in the cells of a GRID x GRID grid
KINDS = ("count", "row", "column")


@dataclass
class CaptionedImages:
    """Images, their captions and what the captions were written from.

    ``images`` float32 ``(N, S, S, 3)`` in [0, 1] (height, width, RGB: Keras's ``channels_last``);
    ``captions`` N strings; ``kinds`` (N,) the scene type (``"count"``, ``"row"``, ``"column"``);
    ``objects`` N lists of ``(colour, shape, row, column)`` (grid cells); ``splits`` (N,)
    ``"train"``, ``"val"`` or ``"test"``.

    No chapter calls it directly; :func:`shape_scenes` (chapter 16) uses it.
    """

    images: np.ndarray
    captions: list
    kinds: np.ndarray
    objects: list
    splits: np.ndarray

    def rows(self, split):
        """Boolean mask (N,) of the images in ``split``."""
        mask = self.splits == split
        if not mask.any():
            raise ValueError(f"no rows in split {split!r}; splits are {sorted(set(self.splits))}")
        return mask


def _shape_mask(shape, size, cy, cx, radius):
    """Boolean (size, size) mask of one shape centred at (cy, cx) pixels."""
    y, x = np.mgrid[0:size, 0:size] + 0.5
    dy, dx = y - cy, x - cx
    if shape == "square":
        return (np.abs(dy) <= radius * 0.85) & (np.abs(dx) <= radius * 0.85)
    if shape == "circle":
        return dy**2 + dx**2 <= radius**2
    # an upright triangle: apex at the top, base at the bottom, width growing downwards
    return (dy >= -radius) & (dy <= radius * 0.8) & (np.abs(dx) <= (dy + radius) * 0.55)


def _caption(kind, objects):
    colour, shape = objects[0][:2]
    if kind == "count":
        noun = shape if len(objects) == 1 else PLURALS[shape]
        return f"{COUNT_WORDS[len(objects)]} {colour} {noun}"
    relation = "left of" if kind == "row" else "above"
    (c1, s1, *_), (c2, s2, *_) = objects
    return f"a {c1} {s1} {relation} a {c2} {s2}"


def _scene(rng, kind):
    """One scene's objects ``[(colour, shape, row, column), ...]``, in caption order."""
    colours, cells = list(COLOURS), [(r, c) for r in range(GRID) for c in range(GRID)]
    if kind == "count":
        count = int(rng.integers(1, 4))
        colour, shape = colours[rng.integers(len(colours))], SHAPES[rng.integers(len(SHAPES))]
        picked = rng.choice(len(cells), size=count, replace=False)
        return [(colour, shape, *cells[i]) for i in sorted(picked)]
    # two different (colour, shape) pairs in one row (or column), the left (or upper) one first
    pairs = [(c, s) for c in colours for s in SHAPES]
    first, second = rng.choice(len(pairs), size=2, replace=False)
    line = int(rng.integers(GRID))
    a, b = sorted(rng.choice(GRID, size=2, replace=False))
    if kind == "row":
        return [(*pairs[first], line, int(a)), (*pairs[second], line, int(b))]
    return [(*pairs[first], int(a), line), (*pairs[second], int(b), line)]


def _render(rng, objects, size, noise):
    background = rng.uniform(0.0, 0.25) * np.ones(3) + rng.uniform(-0.05, 0.05, size=3)
    image = np.broadcast_to(background, (size, size, 3)).copy()
    cell = size / GRID
    for colour, shape, row, column in objects:
        radius = cell * rng.uniform(0.28, 0.38)
        cy = (row + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell
        cx = (column + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell
        tint = np.clip(np.asarray(COLOURS[colour]) + rng.uniform(-0.08, 0.08, size=3), 0, 1)
        image[_shape_mask(shape, size, cy, cx, radius)] = tint
    image += rng.normal(0.0, noise, size=image.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def shape_scenes(n, size=32, seed=0, kinds=KINDS, noise=0.03, val=0.1, test=0.1):
    """``n`` generated images of coloured shapes with their captions (see the module's grammar).

    Args:
        n: the number of images.
        size: the side of each square image in pixels (>= 24).
        seed: everything (scene, positions, colours, noise, split) follows from it.
        kinds: the scene types to draw from, uniformly: any of ``"count"``, ``"row"``,
            ``"column"``.
        noise: the standard deviation of the Gaussian pixel noise.
        val, test: the fractions of images in the validation and test splits (by image; a
            held-out image is new even when its caption also describes a training image).

    Returns:
        :class:`CaptionedImages`.

    Chapter 16 uses it.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 24:
        raise ValueError(f"size must be an int >= 24 pixels; got {size!r}")
    kinds = tuple(kinds)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if not kinds or unknown:
        raise ValueError(f"kinds must be a non-empty subset of {KINDS}; got {kinds!r}")
    if not (noise >= 0 and val >= 0 and test >= 0 and val + test < 1):
        raise ValueError(
            f"need noise >= 0, val >= 0, test >= 0, val + test < 1; got {noise, val, test}"
        )
    rng = np.random.default_rng(seed)
    drawn = [kinds[i] for i in rng.integers(len(kinds), size=n)]
    objects = [_scene(rng, kind) for kind in drawn]
    images = np.stack([_render(rng, objs, int(size), noise) for objs in objects])
    splits = rng.choice(["train", "val", "test"], size=n, p=[1 - val - test, val, test])
    return CaptionedImages(
        images=images,
        captions=[_caption(kind, objs) for kind, objs in zip(drawn, objects, strict=True)],
        kinds=np.array(drawn),
        objects=objects,
        splits=splits,
    )
