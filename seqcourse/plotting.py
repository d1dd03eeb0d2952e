"""Figures the chapters draw: recurrent-network diagrams, windows over a series, hidden states.

Every function draws on a Matplotlib ``Axes`` the caller made (``fig, ax = plt.subplots()``) and
returns it (or the artist a colour bar needs), so a chapter controls layout and size. Nothing here
calls ``plt.show`` or writes files. Only NumPy and Matplotlib are imported.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle

__all__ = [
    "draw_unrolled_rnn",
    "draw_bptt_graph",
    "draw_io_pattern",
    "draw_stacked_rnn",
    "draw_bidirectional_rnn",
    "draw_lstm_cell",
    "draw_gru_cell",
    "draw_receptive_field",
    "plot_learning_curves",
    "IO_PATTERNS",
    "plot_windows",
    "plot_chronological_split",
    "plot_hidden_states",
    "plot_padding_mask",
    "draw_encoder_decoder",
    "plot_attention",
    "plot_image_attention",
    "plot_confusion_matrix",
]

# Colours shared by the figures, so that "input", "state" and "output" look the same everywhere.
INPUT_COLOR = "#cfe2f3"
STATE_COLOR = "#fde9c9"
OUTPUT_COLOR = "#d9ead3"
TARGET_COLOR = "#e06666"
EDGE_COLOR = "#333333"
CELL_PATH_COLOR = "#cc0000"


def _box(ax: Axes, x: float, y: float, text: str, color: str, *, w: float = 0.7, h: float = 0.5):
    """Draw a rounded box centred on (x, y) with a label; return the patch."""
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=color,
        edgecolor=EDGE_COLOR,
        linewidth=1.2,
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=11)
    return patch


def _arrow(ax: Axes, start, end, label: str | None = None, *, offset=(0.0, 0.0), **kwargs):
    """Draw an arrow from ``start`` to ``end`` with an optional label near its middle."""
    style = dict(arrowstyle="-|>", mutation_scale=12, color=EDGE_COLOR, linewidth=1.2)
    style.update(kwargs)
    arrow = FancyArrowPatch(start, end, **style)
    ax.add_patch(arrow)
    if label:
        mx = (start[0] + end[0]) / 2 + offset[0]
        my = (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=10, color="#1f4e79")
    return arrow


def draw_unrolled_rnn(ax: Axes, steps: int = 4, *, folded: bool = True) -> Axes:
    """Draw a recurrent network rolled up (a cell with a loop) and unrolled over ``steps`` steps.

    The unrolled part shows inputs ``x_1..x_T`` (bottom), hidden states ``h_1..h_T`` (middle),
    outputs ``y_1..y_T`` (top), the initial state ``h_0``, and labels every arrow with the weight it
    applies: ``W`` (input -> state), ``U`` (state -> next state), ``V`` (state -> output). The same
    letters at every step are the point of the figure: the parameters are shared across time.

    Raises ValueError if ``steps`` is not an int in 1..12 (wider figures stop being readable).

    Chapter 2 uses it.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 12:
        raise ValueError(f"steps must be an int between 1 and 12, got {steps!r}")
    y_in, y_h, y_out = 0.0, 1.4, 2.8
    x0 = 0.0
    if folded:
        # The rolled-up cell: the loop arrow is the recurrence h_{t-1} -> h_t through U.
        _box(ax, x0, y_in, r"$x_t$", INPUT_COLOR)
        _box(ax, x0, y_h, r"$h_t$", STATE_COLOR)
        _box(ax, x0, y_out, r"$y_t$", OUTPUT_COLOR)
        _arrow(ax, (x0, y_in + 0.25), (x0, y_h - 0.25), "W", offset=(-0.22, 0))
        _arrow(ax, (x0, y_h + 0.25), (x0, y_out - 0.25), "V", offset=(-0.22, 0))
        # Leave the box on the right, turn around and come back in: arms and radius in points.
        _arrow(
            ax,
            (x0 + 0.35, y_h + 0.12),
            (x0 + 0.35, y_h - 0.12),
            connectionstyle="arc,angleA=0,angleB=0,armA=28,armB=28,rad=8",
        )
        ax.text(x0 + 1.1, y_h, "U", ha="center", va="center", fontsize=10, color="#1f4e79")
        ax.text(x0 + 1.6, y_h, "=", ha="center", va="center", fontsize=20)
        x0 += 2.3
    # h_0: the state before the first input (zeros unless the caller passes one).
    _box(ax, x0, y_h, r"$h_0$", "white")
    for t in range(1, steps + 1):
        x = x0 + 1.6 * t
        _box(ax, x, y_in, rf"$x_{{{t}}}$", INPUT_COLOR)
        _box(ax, x, y_h, rf"$h_{{{t}}}$", STATE_COLOR)
        _box(ax, x, y_out, rf"$y_{{{t}}}$", OUTPUT_COLOR)
        _arrow(ax, (x, y_in + 0.25), (x, y_h - 0.25), "W", offset=(-0.22, 0))
        _arrow(ax, (x, y_h + 0.25), (x, y_out - 0.25), "V", offset=(-0.22, 0))
        _arrow(ax, (x - 1.6 + 0.35, y_h), (x - 0.35, y_h), "U", offset=(0, 0.18))
    ax.set_xlim(-0.8 if folded else x0 - 0.8, x0 + 1.6 * steps + 0.8)
    ax.set_ylim(-0.6, 3.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


GRADIENT_COLOR = "#cc0000"


def draw_bptt_graph(ax: Axes, steps: int = 4) -> Axes:
    """Draw the unrolled many-to-one RNN and the path its gradients take back through time.

    Forward (black): ``x_t`` and ``h_{t-1}`` make ``h_t``; ``h_T`` makes the prediction ``y^`` and
    the loss ``L``. Backward (dashed, :data:`GRADIENT_COLOR`): ``δy^`` reaches ``h_T``; from each
    ``h_t`` the gradient ``δa_t = δh_t ⊙ (1 - h_t²)`` goes on to ``h_{t-1}`` through ``U^T`` and,
    dotted, into the sums ``δW``, ``δU``, ``δb`` that collect one term per step (the weights are
    shared, so their gradients add over time).

    Raises ValueError if ``steps`` is not an int in 2..8.

    Chapter 3 uses it.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= 8:
        raise ValueError(f"steps must be an int between 2 and 8, got {steps!r}")
    y_in, y_h, y_sum = 0.0, 1.6, 3.4
    back = dict(color=GRADIENT_COLOR, linestyle="--", linewidth=1.4)
    xs = [1.8 * t for t in range(steps + 1)]  # h_0 at x = 0
    _box(ax, xs[0], y_h, r"$h_0$", "white")
    for t in range(1, steps + 1):
        label = "T" if t == steps else str(t)
        _box(ax, xs[t], y_in, rf"$x_{{{label}}}$", INPUT_COLOR)
        _box(ax, xs[t], y_h, rf"$h_{{{label}}}$", STATE_COLOR)
        _arrow(ax, (xs[t], y_in + 0.25), (xs[t], y_h - 0.25), "W", offset=(-0.22, 0))
        _arrow(ax, (xs[t - 1] + 0.35, y_h + 0.08), (xs[t] - 0.35, y_h + 0.08), "U", offset=(0, 0.2))
        # Back through time: h_t -> h_{t-1}, through U^T.
        _arrow(ax, (xs[t] - 0.35, y_h - 0.1), (xs[t - 1] + 0.35, y_h - 0.1), **back)
        # Every step adds its term to the shared weights' gradients.
        _arrow(
            ax,
            (xs[t], y_h + 0.25),
            (xs[t] * 0.3 + xs[steps] * 0.35, y_sum - 0.3),
            color=GRADIENT_COLOR,
            linestyle=":",
            linewidth=1.0,
        )
        ax.text(
            (xs[t - 1] + xs[t]) / 2,
            y_h - 0.42,
            rf"$\delta a_{{{label}}} U^{{\top}}$",
            ha="center",
            fontsize=8,
            color=GRADIENT_COLOR,
        )
    x_out = xs[steps] + 1.8
    _box(ax, x_out, y_h, r"$\hat y$", OUTPUT_COLOR)
    _box(ax, x_out + 1.5, y_h, r"$L$", TARGET_COLOR, w=0.6)
    _arrow(ax, (xs[steps] + 0.35, y_h + 0.08), (x_out - 0.35, y_h + 0.08), "V", offset=(0, 0.2))
    _arrow(ax, (x_out + 0.35, y_h + 0.08), (x_out + 1.2, y_h + 0.08))
    _arrow(ax, (x_out + 1.2, y_h - 0.1), (x_out + 0.35, y_h - 0.1), **back)
    _arrow(ax, (x_out - 0.35, y_h - 0.1), (xs[steps] + 0.35, y_h - 0.1), **back)
    ax.text(x_out + 0.75, y_h - 0.42, r"$\delta \hat y$", fontsize=9, color=GRADIENT_COLOR)
    _box(
        ax,
        xs[steps] * 0.65,
        y_sum,
        r"$\delta W = \sum_t x_t^{\top} \delta a_t,\quad "
        r"\delta U = \sum_t h_{t-1}^{\top} \delta a_t$",
        "white",
        w=5.2,
        h=0.6,
    )
    ax.text(
        xs[steps] * 0.65,
        y_in - 0.75,
        "forward: black    backward: dashed red    summed over steps: dotted",
        ha="center",
        fontsize=9,
        color="#555555",
    )
    ax.set_xlim(-0.6, x_out + 2.0)
    ax.set_ylim(y_in - 1.0, y_sum + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


# Which steps carry an input and which carry an output, for each named input/output pattern:
# (number of input steps, number of output steps, outputs start after the inputs end?)
IO_PATTERNS = {
    "one-to-one": (1, 1, False),
    "one-to-many": (1, 4, False),
    "many-to-one": (4, 1, False),
    "many-to-many (same length)": (4, 4, False),
    "many-to-many (encoder-decoder)": (3, 3, True),
}


def draw_io_pattern(ax: Axes, pattern: str) -> Axes:
    """Draw one input/output pattern of a recurrent network (see ``IO_PATTERNS`` for the names).

    Inputs are blue boxes at the bottom, states orange in the middle, outputs green at the top;
    a horizontal arrow between states is the recurrence. ``one-to-one`` has a single state and no
    horizontal arrow: without a time axis there is nothing to recur over.

    Raises ValueError for an unknown ``pattern`` and lists the known ones.

    Chapter 2 uses it.
    """
    if pattern not in IO_PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}; choose one of {sorted(IO_PATTERNS)}")
    n_in, n_out, delayed = IO_PATTERNS[pattern]
    if delayed:
        # Encoder steps read inputs; decoder steps (after them) emit outputs.
        n_steps = n_in + n_out
        in_steps = range(n_in)
        out_steps = range(n_in, n_steps)
    else:
        n_steps = max(n_in, n_out)
        in_steps = range(n_in)
        # Many-to-one emits at the last step only; one-to-many emits at every step.
        out_steps = range(n_steps - n_out, n_steps)
    for t in range(n_steps):
        _box(ax, t, 1.0, "", STATE_COLOR, w=0.55, h=0.45)
        if t > 0:
            _arrow(ax, (t - 1 + 0.28, 1.0), (t - 0.28, 1.0))
        if t in in_steps:
            _box(ax, t, 0.0, "", INPUT_COLOR, w=0.55, h=0.45)
            _arrow(ax, (t, 0.23), (t, 0.77))
        if t in out_steps:
            _box(ax, t, 2.0, "", OUTPUT_COLOR, w=0.55, h=0.45)
            _arrow(ax, (t, 1.23), (t, 1.77))
    ax.set_title(pattern.replace(" (", "\n("), fontsize=11)
    # The same width for every pattern keeps the boxes the same size side by side.
    middle = (n_steps - 1) / 2
    ax.set_xlim(middle - 3.2, middle + 3.2)
    ax.set_ylim(-0.5, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_windows(
    ax: Axes,
    series,
    window: int,
    horizon: int = 1,
    stride: int = 1,
    *,
    n_windows: int = 3,
    start: int = 0,
) -> Axes:
    """Plot ``series`` and, under it, the first ``n_windows`` (input window, target) pairs.

    Window ``i`` covers positions ``start + i*stride .. start + i*stride + window - 1`` (shaded bar)
    and its target the next ``horizon`` positions (red bar), the same convention as
    ``seqcourse.data.make_windows``. The x axis is the position in the series.

    Raises ValueError if ``series`` is not 1-D, if a size is not a positive int, or if the
    requested windows do not fit in the series.

    Chapter 1 uses it.
    """
    values = np.asarray(series, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"series must be 1-D, got shape {values.shape}")
    for name, value in [("window", window), ("horizon", horizon), ("stride", stride)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if isinstance(n_windows, bool) or not isinstance(n_windows, int) or n_windows < 1:
        raise ValueError(f"n_windows must be a positive int, got {n_windows!r}")
    last_end = start + (n_windows - 1) * stride + window + horizon
    if start < 0 or last_end > len(values):
        raise ValueError(
            f"{n_windows} windows of {window}+{horizon} steps with stride {stride} from position "
            f"{start} need {last_end} values, the series has {len(values)}: show fewer windows"
        )
    shown = np.arange(start, last_end)
    ax.plot(shown, values[shown], color=EDGE_COLOR, marker="o", markersize=3, linewidth=1)
    low, high = values[shown].min(), values[shown].max()
    span = max(high - low, 1e-9)
    bar_height = 0.12 * span
    for i in range(n_windows):
        first = start + i * stride
        y = low - (i + 1) * 1.6 * bar_height
        ax.add_patch(
            Rectangle(
                (first - 0.4, y),
                window - 0.2,
                bar_height,
                facecolor=INPUT_COLOR,
                edgecolor=EDGE_COLOR,
            )
        )
        ax.add_patch(
            Rectangle(
                (first + window - 0.4, y),
                horizon - 0.2,
                bar_height,
                facecolor=TARGET_COLOR,
                edgecolor=EDGE_COLOR,
            )
        )
        label = f"window {i}" if window >= 4 else str(i)
        ax.text(
            first + window / 2 - 0.5,
            y + bar_height / 2,
            label,
            ha="center",
            va="center",
            fontsize=8,
        )
    ax.set_ylim(low - (n_windows + 1) * 1.6 * bar_height, high + 0.1 * span)
    ax.set_xlim(start - 1, last_end)
    # Value ticks only where the series is; the bars below it have no value scale.
    ax.set_yticks([tick for tick in ax.get_yticks() if low <= tick <= high])
    ax.set_xlabel("position in the series")
    return ax


def plot_chronological_split(ax: Axes, train, val, test, *, ylabel: str = "") -> Axes:
    """Plot three consecutive pieces of a series (pandas Series or 1-D arrays) in three colours.

    With pandas objects the x axis is their index (e.g. timestamps); with arrays it is the position,
    continuing from one piece to the next. Raises ValueError if a piece is empty or not 1-D.

    Chapters 1 and 8 use it.
    """
    pieces = {"train": train, "validation": val, "test": test}
    offset = 0
    for (label, piece), color in zip(
        pieces.items(), ["#3d85c6", "#e69138", "#cc0000"], strict=True
    ):
        values = np.asarray(piece, dtype=float)
        if values.ndim != 1 or len(values) == 0:
            raise ValueError(f"{label} must be a non-empty 1-D series, got shape {values.shape}")
        index = getattr(piece, "index", None)
        x = np.asarray(index) if index is not None else np.arange(offset, offset + len(values))
        ax.plot(x, values, color=color, linewidth=0.8, label=f"{label} ({len(values)})")
        offset += len(values)
    ax.legend(loc="upper left", fontsize=9)
    ax.set_ylabel(ylabel)
    return ax


def plot_hidden_states(ax: Axes, states, *, vmax: float = 1.0, cmap: str = "RdBu_r"):
    """Show hidden states ``(T, H)`` as an image: one row per unit, one column per time step.

    The colour scale is symmetric, ``[-vmax, vmax]`` (1 suits tanh units). Returns the image, so the
    caller can add ``fig.colorbar(image, ax=ax)``. Raises ValueError unless ``states`` is 2-D.

    Chapter 2 uses it.
    """
    values = np.asarray(states, dtype=float)
    if values.ndim != 2:
        raise ValueError(
            f"states must be 2-D (T, H) for one sequence, got shape {values.shape}; "
            "for a batch (B, T, H) pass states[i]"
        )
    image = ax.imshow(
        values.T, aspect="auto", cmap=cmap, vmin=-vmax, vmax=vmax, interpolation="nearest"
    )
    ax.set_xlabel("time step $t$")
    ax.set_ylabel("hidden unit")
    return image


def plot_padding_mask(ax: Axes, padded, mask) -> Axes:
    """Draw a padded batch ``(B, T)`` as a grid of its values, with masked-out cells hatched grey.

    ``mask`` is boolean ``(B, T)``, True where a step is real (the Keras convention). Raises
    ValueError if the shapes differ or are not 2-D.

    Chapter 1 uses it.
    """
    values = np.asarray(padded)
    keep = np.asarray(mask, dtype=bool)
    if values.ndim != 2 or values.shape != keep.shape:
        raise ValueError(
            f"padded and mask must both be 2-D (B, T) of the same shape, got {values.shape} "
            f"and {keep.shape}"
        )
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            real = keep[i, j]
            ax.add_patch(
                Rectangle(
                    (j, rows - 1 - i),
                    1,
                    1,
                    facecolor=INPUT_COLOR if real else "#eeeeee",
                    edgecolor=EDGE_COLOR,
                    hatch=None if real else "//",
                )
            )
            ax.text(j + 0.5, rows - 0.5 - i, f"{values[i, j]:g}", ha="center", va="center")
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    ax.set_xticks(np.arange(cols) + 0.5, [str(t) for t in range(cols)])
    ax.set_yticks(np.arange(rows) + 0.5, [f"seq {rows - 1 - i}" for i in range(rows)])
    ax.set_xlabel("time step")
    ax.set_aspect("equal")
    return ax


def _check_count(name: str, value, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise ValueError(f"{name} must be an int between 1 and {high}, got {value!r}")


def draw_stacked_rnn(ax: Axes, layers: int = 3, steps: int = 4) -> Axes:
    """Draw a deep (stacked) RNN unrolled in time: ``layers`` rows of states over ``steps`` columns.

    Inputs ``x_t`` are at the bottom, the states ``h_t^{(l)}`` of layer ``l`` in row ``l``,
    outputs ``y_t`` on top. Vertical arrows carry layer ``l-1``'s output at step ``t`` into layer
    ``l`` at the same step (so every layer below the top must return its whole sequence);
    horizontal arrows are each layer's own recurrence. Raises ValueError unless ``layers`` is in
    1..5 and ``steps`` in 1..8.

    Chapter 6 uses it.
    """
    _check_count("layers", layers, 5)
    _check_count("steps", steps, 8)
    dx, dy = 1.5, 1.1
    for t in range(1, steps + 1):
        x = dx * t
        _box(ax, x, 0.0, rf"$x_{{{t}}}$", INPUT_COLOR)
        for layer in range(1, layers + 1):
            y = dy * layer
            _box(ax, x, y, rf"$h_{{{t}}}^{{({layer})}}$", STATE_COLOR, w=0.8)
            _arrow(ax, (x, y - dy + 0.25), (x, y - 0.25))
            if t > 1:
                _arrow(ax, (x - dx + 0.4, y), (x - 0.4, y))
        top = dy * (layers + 1)
        _box(ax, x, top, rf"$y_{{{t}}}$", OUTPUT_COLOR)
        _arrow(ax, (x, top - dy + 0.25), (x, top - 0.25))
    for layer in range(1, layers + 1):
        ax.text(0.35, dy * layer, f"layer {layer}", ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.9, dx * steps + 0.6)
    ax.set_ylim(-0.5, dy * (layers + 1) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_bidirectional_rnn(ax: Axes, steps: int = 4) -> Axes:
    """Draw a bidirectional RNN unrolled over ``steps`` steps.

    A forward row of states ``→h_t`` (arrows left to right) and a backward row ``←h_t`` (arrows
    right to left) both read the inputs ``x_t``; each output ``y_t`` reads both states at step
    ``t``, so it depends on the whole sequence. Raises ValueError unless ``steps`` is in 1..8.

    Chapter 6 uses it.
    """
    _check_count("steps", steps, 8)
    dx, shift = 1.6, 0.4  # the forward box sits left of x_t, the backward box right of it
    y_in, y_fwd, y_bwd, y_out = 0.0, 1.2, 2.4, 3.6
    for t in range(1, steps + 1):
        x = dx * t
        _box(ax, x, y_in, rf"$x_{{{t}}}$", INPUT_COLOR)
        _box(ax, x - shift, y_fwd, rf"$\overrightarrow{{h}}_{{{t}}}$", STATE_COLOR, w=0.6)
        _box(ax, x + shift, y_bwd, rf"$\overleftarrow{{h}}_{{{t}}}$", "#f4cccc", w=0.6)
        _box(ax, x, y_out, rf"$y_{{{t}}}$", OUTPUT_COLOR)
        # x_t feeds both directions; y_t reads both states of step t.
        _arrow(ax, (x - 0.15, y_in + 0.25), (x - shift, y_fwd - 0.25))
        _arrow(ax, (x + 0.15, y_in + 0.25), (x + shift, y_bwd - 0.25))
        _arrow(ax, (x - shift, y_fwd + 0.25), (x - 0.15, y_out - 0.25))
        _arrow(ax, (x + shift, y_bwd + 0.25), (x + 0.15, y_out - 0.25))
        if t > 1:
            _arrow(ax, (x - dx - shift + 0.3, y_fwd), (x - shift - 0.3, y_fwd))
            _arrow(ax, (x + shift - 0.3, y_bwd), (x - dx + shift + 0.3, y_bwd))
    ax.text(dx - shift - 0.45, y_fwd, "forward", ha="right", va="center", fontsize=10)
    ax.text(dx - 0.45, y_bwd, "backward", ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.9, dx * steps + 0.9)
    ax.set_ylim(-0.5, y_out + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _node(ax: Axes, x: float, y: float, text: str, *, r: float = 0.22):
    """Draw a small circle (an elementwise operation such as × or +) centred on (x, y)."""
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor=EDGE_COLOR, linewidth=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=12)


def draw_lstm_cell(ax: Axes) -> Axes:
    """Draw one LSTM step with the cell-state path highlighted.

    Along the top, drawn thick in :data:`CELL_PATH_COLOR`, the cell state runs from ``c_{t-1}`` to
    ``c_t`` through only a × node (the forget gate ``f_t``) and a + node (where ``i_t ⊙ c~_t`` is
    written): no matrix and no squashing on the way. Below, the four layers that read ``x_t`` and
    ``h_{t-1}``: the forget, input and output gates (sigmoids) and the candidate ``c~_t`` (tanh),
    and on the right the read-out ``h_t = o_t ⊙ tanh(c_t)``.

    Chapter 4 uses it.
    """
    top, mid, low = 3.2, 1.95, 0.8
    path = dict(color=CELL_PATH_COLOR, linewidth=3.0)
    _box(ax, 0.0, top, r"$c_{t-1}$", STATE_COLOR, w=0.9)
    _box(ax, 9.8, top, r"$c_t$", STATE_COLOR, w=0.9)
    _node(ax, 2.0, top, "×")
    _node(ax, 5.0, top, "+")
    _arrow(ax, (0.45, top), (1.78, top), **path)
    _arrow(ax, (2.22, top), (4.78, top), r"$f_t \odot c_{t-1}$", offset=(0, 0.3), **path)
    _arrow(ax, (5.22, top), (9.35, top), **path)
    _box(ax, 2.0, low, "σ\nforget $f_t$", INPUT_COLOR, w=1.3, h=0.75)
    _box(ax, 3.7, low, "σ\ninput $i_t$", INPUT_COLOR, w=1.3, h=0.75)
    _box(ax, 5.6, low, "tanh\ncandidate $\\tilde c_t$", OUTPUT_COLOR, w=1.7, h=0.75)
    _box(ax, 8.3, low, "σ\noutput $o_t$", INPUT_COLOR, w=1.3, h=0.75)
    _arrow(ax, (2.0, low + 0.38), (2.0, top - 0.22), r"$f_t$", offset=(-0.25, -0.3))
    _node(ax, 5.0, mid, "×")
    _arrow(ax, (3.9, low + 0.38), (4.82, mid - 0.14))
    _arrow(ax, (5.45, low + 0.38), (5.15, mid - 0.17))
    _arrow(ax, (5.0, mid + 0.22), (5.0, top - 0.22), r"$i_t \odot \tilde c_t$", offset=(0.6, 0))
    _node(ax, 7.2, mid, "tanh", r=0.3)
    _arrow(ax, (7.2, top - 0.03), (7.2, mid + 0.3))
    _node(ax, 8.3, mid, "×")
    _arrow(ax, (7.5, mid), (8.08, mid))
    _arrow(ax, (8.3, low + 0.38), (8.3, mid - 0.22), r"$o_t$", offset=(0.25, -0.05))
    _box(ax, 9.8, mid, r"$h_t$", STATE_COLOR, w=0.9)
    _arrow(ax, (8.52, mid), (9.35, mid))
    for x in (2.0, 3.7, 5.6, 8.3):
        ax.text(x, 0.1, r"$x_t,\ h_{t-1}$", ha="center", va="center", fontsize=9, color="#555555")
    ax.text(
        5.0,
        top + 0.6,
        "cell state: changed only by × and +",
        ha="center",
        fontsize=9,
        color=CELL_PATH_COLOR,
    )
    ax.set_xlim(-0.7, 10.5)
    ax.set_ylim(-0.2, 4.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_gru_cell(ax: Axes) -> Axes:
    """Draw one GRU step in Keras's convention, h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h~_t.

    The state runs along the top from ``h_{t-1}`` to ``h_t`` through a × node (scaled by the update
    gate ``z_t``) and a + node (where ``(1 - z_t) ⊙ h~_t`` is added). Below, three boxes: the update
    gate ``z_t`` and reset gate ``r_t`` (sigmoids of ``x_t`` and ``h_{t-1}``) and the candidate
    ``h~_t`` (a tanh of ``x_t`` and of ``h_{t-1}`` as seen through ``r_t``).

    Chapter 5 uses it.
    """
    top, mid, low = 3.0, 1.9, 0.8
    _box(ax, 0.0, top, r"$h_{t-1}$", STATE_COLOR, w=0.9)
    _box(ax, 8.0, top, r"$h_t$", STATE_COLOR, w=0.9)
    _node(ax, 2.0, top, "×")
    _node(ax, 6.0, top, "+")
    _arrow(ax, (0.45, top), (1.78, top))
    _arrow(ax, (2.22, top), (5.78, top), r"$z_t \odot h_{t-1}$", offset=(0, 0.3))
    _arrow(ax, (6.22, top), (7.55, top))
    _box(ax, 2.0, low, "σ\nupdate $z_t$", INPUT_COLOR, w=1.3, h=0.75)
    _box(ax, 4.0, low, "σ\nreset $r_t$", INPUT_COLOR, w=1.3, h=0.75)
    _box(ax, 6.3, low, "tanh\ncandidate $\\tilde h_t$", OUTPUT_COLOR, w=1.7, h=0.75)
    _arrow(ax, (2.0, low + 0.38), (2.0, top - 0.22), r"$z_t$", offset=(-0.25, -0.3))
    _box(ax, 4.0, mid, r"$1 - z_t$", "white", w=0.9, h=0.45)
    _arrow(ax, (2.4, low + 0.38), (3.55, mid - 0.1))
    _node(ax, 6.0, mid, "×")
    _arrow(ax, (4.45, mid), (5.78, mid))
    _arrow(ax, (6.0, low + 0.38), (6.0, mid - 0.22))
    _arrow(
        ax, (6.0, mid + 0.22), (6.0, top - 0.22), r"$(1 - z_t) \odot \tilde h_t$", offset=(0.95, 0)
    )
    _arrow(ax, (4.65, low), (5.45, low), r"$r_t$", offset=(0, 0.22))
    for x, inputs in (
        (2.0, r"$x_t,\ h_{t-1}$"),
        (4.0, r"$x_t,\ h_{t-1}$"),
        (6.3, r"$x_t,\ h_{t-1}$"),
    ):
        ax.text(x, 0.1, inputs, ha="center", va="center", fontsize=9, color="#555555")
    ax.text(2.0, top + 0.55, "z = 1 keeps the old state", ha="center", fontsize=9, color="#555555")
    ax.set_xlim(-0.7, 8.7)
    ax.set_ylim(-0.2, 3.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def draw_receptive_field(ax: Axes, layers, steps: int, index: int, *, names=None) -> Axes:
    """Draw the steps of a convolutional front end, the field of one top step highlighted.

    One row of squares per level, the input at the bottom (``steps`` squares) and each layer's
    output above it (lengths from :func:`seqcourse.reference.output_length`); the top step
    ``index`` and, at every level below, the steps it depends on
    (:func:`seqcourse.reference.receptive_field` of the layers up to there) are filled in
    :data:`TARGET_COLOR`, the others left white. ``layers`` are ``(kernel_size, stride)`` pairs,
    bottom first (``Conv1D(K)`` is ``(K, 1)``, ``MaxPooling1D(P)`` is ``(P, P)``); ``names``
    label the rows, input first.

    Raises ValueError if ``steps`` is not in 1..64 or ``index`` is not a top step.

    Chapter 6 uses it.
    """
    from seqcourse.reference import output_length, receptive_field

    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 64:
        raise ValueError(f"steps must be an int between 1 and 64, got {steps!r}")
    layers = [tuple(layer) for layer in layers]
    lengths = [steps] + [output_length(layers[: i + 1], steps) for i in range(len(layers))]
    if not isinstance(index, int) or not 0 <= index < lengths[-1]:
        raise ValueError(f"index must be a top step in 0..{lengths[-1] - 1}, got {index!r}")
    names = names or ["input"] + [f"layer {i + 1}" for i in range(len(layers))]
    if len(names) != len(lengths):
        raise ValueError(f"names must label {len(lengths)} rows (input first), got {len(names)}")
    # The top step's field at every level: its own index at the top, then down layer by layer.
    fields = [
        receptive_field(layers[level:], index) if level < len(layers) else (index, index + 1)
        for level in range(len(lengths))
    ]
    spans = [1]  # the width, in input steps, one square of each level is drawn over
    for _kernel_size, stride in layers:
        spans.append(spans[-1] * stride)
    for level, (length, (start, stop)) in enumerate(zip(lengths, fields, strict=True)):
        y = 1.2 * level
        offset = receptive_field(layers[:level], 0)[1] / 2 - spans[level] / 2 if level else 0.0
        for t in range(length):
            x = offset + t * spans[level]
            color = TARGET_COLOR if start <= t < stop else "white"
            ax.add_patch(
                Rectangle(
                    (x + 0.05, y),
                    spans[level] - 0.1,
                    0.6,
                    facecolor=color,
                    edgecolor=EDGE_COLOR,
                    linewidth=0.8,
                )
            )
        ax.text(-0.6, y + 0.3, names[level], ha="right", va="center", fontsize=10)
        ax.text(
            offset + length * spans[level] + 0.4,
            y + 0.3,
            f"{stop - start} of {length}",
            ha="left",
            va="center",
            fontsize=9,
            color="#555555",
        )
    ax.set_xlim(-0.6 - 0.12 * steps - 1.5, steps + 0.12 * steps + 1.5)
    ax.set_ylim(-0.3, 1.2 * len(lengths))
    ax.axis("off")
    return ax


def plot_learning_curves(ax: Axes, history, label: str = "", *, color=None, metric: str = "loss"):
    """Plot training (dashed) and validation (solid) curves of one ``model.fit`` run.

    ``history`` is ``History.history`` (a dict of per-epoch lists) or the ``History`` itself; the
    curves are ``history[metric]`` and ``history["val_" + metric]`` against epochs 1, 2, ....
    Returns the validation line (its colour identifies the run in a legend).
    Raises ValueError if either key is missing or the two lists differ in length.

    Chapters 7, 8, 9 and 16 use it.
    """
    history = getattr(history, "history", history)
    val_key = f"val_{metric}"
    missing = [key for key in (metric, val_key) if key not in history]
    if missing:
        raise ValueError(
            f"history lacks {missing}; it has {sorted(history)}. Fit with validation_data=... "
            f"(or validation_split) to get {val_key!r}"
        )
    train, val = np.asarray(history[metric]), np.asarray(history[val_key])
    if train.shape != val.shape or train.ndim != 1:
        raise ValueError(
            f"history[{metric!r}] and history[{val_key!r}] must be per-epoch lists of the same "
            f"length; got shapes {train.shape} and {val.shape}"
        )
    epochs = np.arange(1, len(train) + 1)
    (val_line,) = ax.plot(epochs, val, "-", color=color, label=f"{label} validation".strip())
    ax.plot(epochs, train, "--", color=val_line.get_color(), label=f"{label} training".strip())
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    return val_line


def draw_encoder_decoder(ax: Axes, source, target, *, attention: bool = False) -> Axes:
    """Draw an encoder-decoder unrolled on one example, as it is trained (teacher forcing).

    Bottom left, the encoder reads the ``source`` tokens into states ``h_1..h_S``; its last state is
    the context vector ``c`` that starts the decoder. The decoder reads ``<s>`` and the target
    shifted right by one, and its states ``s_t`` predict ``target`` followed by ``</s>`` (top).
    With ``attention=True`` the last decoder step also reads every encoder state (dashed arrows),
    as in chapter 12. Raises ValueError unless there are 1..6 source and 1..6 target tokens.

    Chapters 11 and 12 use it.
    """
    source, target = list(source), list(target)
    _check_count("the number of source tokens", len(source), 6)
    _check_count("the number of target tokens", len(target), 6)
    dx, y_tok, y_state, y_out = 1.45, 0.0, 1.3, 2.6
    encoder_x = [dx * (i + 1) for i in range(len(source))]
    for i, (x, token) in enumerate(zip(encoder_x, source, strict=True)):
        _box(ax, x, y_tok, token, INPUT_COLOR, w=1.2)
        _box(ax, x, y_state, rf"$h_{{{i + 1}}}$", STATE_COLOR)
        _arrow(ax, (x, y_tok + 0.25), (x, y_state - 0.25))
        if i:
            _arrow(ax, (x - dx + 0.35, y_state), (x - 0.35, y_state))
    start = encoder_x[-1] + 1.9 * dx
    decoder_x = [start + dx * t for t in range(len(target) + 1)]
    inputs, outputs = ["<s>", *target], [*target, "</s>"]
    for t, x in enumerate(decoder_x):
        _box(ax, x, y_tok, inputs[t], INPUT_COLOR, w=1.2)
        _box(ax, x, y_state, rf"$s_{{{t + 1}}}$", "#f4cccc")
        _box(ax, x, y_out, outputs[t], OUTPUT_COLOR, w=1.2)
        _arrow(ax, (x, y_tok + 0.25), (x, y_state - 0.25))
        _arrow(ax, (x, y_state + 0.25), (x, y_out - 0.25))
        if t:
            _arrow(ax, (x - dx + 0.35, y_state), (x - 0.35, y_state))
            # the output of step t-1 is the input of step t: the shift by one
            _arrow(ax, (x - dx + 0.45, y_out - 0.2), (x - 0.45, y_tok + 0.2), color="0.6", lw=0.9)
    _arrow(
        ax,
        (encoder_x[-1] + 0.35, y_state),
        (decoder_x[0] - 0.35, y_state),
        "context c",
        offset=(0.0, -0.3),
    )
    if attention:
        last = decoder_x[-1]
        for x in encoder_x:
            _arrow(
                ax,
                (x, y_state + 0.25),
                (last - 0.2, y_state + 0.25),
                connectionstyle="arc3,rad=-0.1",
                linestyle="--",
                color="#1f4e79",
                lw=0.9,
            )
    ax.text(np.mean(encoder_x), y_out, "encoder", ha="center", va="center", fontsize=11)
    ax.text(np.mean(decoder_x), y_out + 0.6, "decoder", ha="center", va="center", fontsize=11)
    ax.set_xlim(encoder_x[0] - 0.9, decoder_x[-1] + 0.9)
    ax.set_ylim(-0.5, y_out + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_attention(ax: Axes, weights, source, target, *, cmap: str = "viridis"):
    """Heat map of attention weights: one row per output token, one column per source token.

    ``weights`` is ``(T, S)`` (row t: how the decoder spread its attention over the S source
    tokens when it produced ``target[t]``; each row sums to 1). Returns the image for a colour bar.
    Raises ValueError if the shape does not match the token lists.

    Chapters 12 and 13 use it.
    """
    weights = np.asarray(weights)
    source, target = list(source), list(target)
    if weights.shape != (len(target), len(source)):
        raise ValueError(
            f"weights must have shape (len(target), len(source)) = ({len(target)}, "
            f"{len(source)}); got {weights.shape}"
        )
    image = ax.imshow(weights, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(np.arange(len(source)), source, rotation=60, ha="right", fontsize=9)
    ax.set_yticks(np.arange(len(target)), target, fontsize=9)
    ax.set_xlabel("source token (attended to)")
    ax.set_ylabel("output token")
    return image


def plot_image_attention(ax: Axes, image, weights, word: str = "", *, cmap: str = "magma"):
    """An image under the attention of one decoding step: where the decoder looked for ``word``.

    ``image`` is ``(S, S, 3)`` (RGB in [0, 1]); ``weights`` the step's attention over the
    ``g x g`` grid of feature positions, ``(g, g)`` or ``(g * g,)`` in row-major order (position
    ``i`` is grid cell ``(i // g, i % g)``), summing to 1. The image is drawn in grey and the
    weights over it, each grid cell covering ``S / g`` pixels a side, scaled to the step's largest
    weight; ``word`` is the panel's title. Returns the overlay image.
    Raises ValueError if the image is not ``(S, S, 3)`` or the weights are not a square grid.

    Chapter 16 uses it.
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] != image.shape[1]:
        raise ValueError(f"image must have shape (S, S, 3); got {image.shape}")
    weights = np.asarray(weights, dtype=float)
    side = int(round(np.sqrt(weights.size)))
    if weights.ndim not in (1, 2) or side * side != weights.size or side == 0:
        raise ValueError(
            f"weights must be a square grid, (g, g) or (g * g,); got shape {weights.shape}"
        )
    grid = weights.reshape(side, side)
    size = image.shape[0]
    grey = image.mean(axis=2)  # luminance only, so the colours of the overlay are the weights'
    ax.imshow(grey, cmap="gray", vmin=0.0, vmax=1.0, extent=(0, size, size, 0))
    overlay = ax.imshow(
        grid,
        cmap=cmap,
        vmin=0.0,
        vmax=max(float(grid.max()), 1e-12),
        alpha=0.6,
        extent=(0, size, size, 0),  # cell (r, c) covers rows [r, r + 1) * S / g, likewise columns
        interpolation="nearest",
    )
    ax.set_title(word, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return overlay


def plot_confusion_matrix(ax: Axes, matrix, labels, *, cmap: str = "Blues"):
    """A confusion matrix with its counts: row i = true class i, column j = predicted class j.

    ``matrix`` is a ``(K, K)`` array of non-negative counts and ``labels`` the ``K`` class names
    in the same order (for binary tasks ``[[TN, FP], [FN, TP]]`` with ``["negative",
    "positive"]``). Each cell shows its count and its share of the row (the recall of that class).
    Returns the image for a colour bar. Raises ValueError for a non-square matrix, negative counts,
    or a label list of the wrong length.

    Chapter 9 uses it.
    """
    matrix = np.asarray(matrix)
    labels = list(labels)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (K, K); got shape {matrix.shape}")
    if len(labels) != matrix.shape[0]:
        raise ValueError(
            f"labels must name the {matrix.shape[0]} classes of the matrix; got {len(labels)}"
        )
    if np.any(matrix < 0):
        raise ValueError("matrix must hold counts (>= 0); got a negative entry")
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    image = ax.imshow(shares, cmap=cmap, vmin=0.0, vmax=1.0)
    for (i, j), count in np.ndenumerate(matrix):
        color = "white" if shares[i, j] > 0.6 else "black"
        ax.text(j, i, f"{count:,}\n{shares[i, j]:.0%}", ha="center", va="center", color=color)
    ticks = np.arange(len(labels))
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return image
