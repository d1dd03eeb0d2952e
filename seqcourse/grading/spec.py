"""What the grader knows about an exercise: questions, their cases and references.

A question names what the student provides (``target``: a function, a variable, or a Keras model
builder), its public cases (run by :func:`seqcourse.grading.check` in the student's own kernel) and
hidden cases (run only by the batch grader), the trusted reference that produces expected values,
the tolerance of the comparison, and :class:`Mistake` s: the outputs of typical wrong answers
(transposed weights, no bias, ...) which, when a submission reproduces one, turn a bare "wrong" into
a hint.

Everything here runs in the trusted process. The sandboxed child only ever sees case *inputs*.
How a result is judged against a question is :mod:`seqcourse.grading.verdicts`.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqcourse.grading.verdicts import METRICS, SEQUENCE_METRICS

SALT_ENV = "SEQCOURSE_GRADING_SALT"


@dataclass(frozen=True)
class Case:
    """One call of the student's function: ``target(*args, **kwargs)``."""

    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    hidden: bool = False


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: ``produce`` maps the case's inputs to what that mistake gives."""

    hint: str
    produce: Callable[..., Any]


# A model's inputs: one array, a tuple of arrays (passed to Keras as a list, in the order of the
# model's inputs) or a dict of arrays keyed by the names of the model's ``keras.Input`` s.
Inputs = np.ndarray | tuple[np.ndarray, ...] | dict[str, np.ndarray]


def input_arrays(x: Inputs) -> dict[str, np.ndarray]:
    """The arrays of model inputs ``x`` by name: ``"x"`` for one array, ``"0"``, ``"1"``, ... for
    a tuple, the keys of a dict."""
    if isinstance(x, np.ndarray):
        return {"x": x}
    if isinstance(x, tuple):
        return {str(i): a for i, a in enumerate(x)}
    if isinstance(x, dict):
        return dict(x)
    raise TypeError(
        f"model inputs must be an ndarray, a tuple of ndarrays or a dict of ndarrays; "
        f"got {type(x).__name__}"
    )


def input_rows(x: Inputs, rows) -> Inputs:
    """``x`` restricted to ``rows`` (a slice or an index array) of every input array."""
    if isinstance(x, np.ndarray):
        return x[rows]
    if isinstance(x, tuple):
        return tuple(a[rows] for a in x)
    return {name: a[rows] for name, a in input_arrays(x).items()}


def input_shapes(x: Inputs) -> str:
    """A short text of the shapes of ``x``: ``(4, 8)``, ``[(4, 8), (4, 9)]`` or ``{a: (4, 8)}``."""
    if isinstance(x, np.ndarray):
        return str(x.shape)
    if isinstance(x, tuple):
        return "[" + ", ".join(str(a.shape) for a in x) + "]"
    return "{" + ", ".join(f"{k}: {a.shape}" for k, a in input_arrays(x).items()) + "}"


@dataclass(frozen=True)
class ModelData:
    """Training data and evaluation inputs of a model question; ``y_eval`` stays in the parent.

    ``x_*`` are :data:`Inputs`: one array ``(N, ...)``, or for a model of several inputs (an
    encoder-decoder's ``[source (N, S), decoder_input (N, T)]``) a tuple or a dict of arrays with
    the same N. ``x_train`` and ``x_eval`` have the same structure (count, names, trailing shapes
    may differ only in length). Only ``x_train``, ``y_train`` and ``x_eval`` reach the sandbox.
    """

    x_train: Inputs
    y_train: np.ndarray
    x_eval: Inputs
    y_eval: np.ndarray
    x_val: Inputs | None = None
    y_val: np.ndarray | None = None

    def __post_init__(self):
        for x_name, y_name in (("x_train", "y_train"), ("x_eval", "y_eval"), ("x_val", "y_val")):
            x, y = getattr(self, x_name), getattr(self, y_name)
            if x is None and y is None and x_name == "x_val":
                continue
            arrays = input_arrays(x)
            if not arrays:
                raise ValueError(f"ModelData.{x_name} holds no arrays")
            for name, array in {**arrays, y_name: y}.items():
                if type(array) is not np.ndarray or array.dtype.kind not in "biuf":
                    raise ValueError(
                        f"ModelData.{x_name}/{y_name}: {name!r} must be a numeric numpy.ndarray, "
                        f"not {type(array).__name__}"
                    )
            rows = {name: len(a) for name, a in {**arrays, y_name: y}.items()}
            if len(set(rows.values())) != 1:
                raise ValueError(
                    f"ModelData.{x_name}/{y_name}: every array needs the same number of rows; "
                    f"got {rows}"
                )
        if type(self.x_train) is not type(self.x_eval) or list(input_arrays(self.x_train)) != list(
            input_arrays(self.x_eval)
        ):
            raise ValueError(
                "ModelData.x_train and x_eval must have the same structure; got "
                f"{input_shapes(self.x_train)} and {input_shapes(self.x_eval)}"
            )


@dataclass(frozen=True)
class FunctionQuestion:
    """The student writes a function; it is called on every case and compared with ``reference``."""

    name: str
    points: float
    target: str
    summary: str
    reference: Callable[..., Any]
    public: Callable[[], list[Case]]
    hidden: Callable[[np.random.Generator], list[Case]]
    rtol: float = 1e-5
    atol: float = 1e-6
    mistakes: tuple[Mistake, ...] = ()
    kind: str = field(default="function", init=False)

    def cases(self, hidden: bool = True) -> list[Case]:
        """Public cases, then (if ``hidden``) hidden ones drawn with this question's salted seed."""
        public = [
            Case(c.args, c.kwargs, c.label or f"public {i}", False)
            for i, c in enumerate(self.public())
        ]
        if not hidden:
            return public
        drawn = self.hidden(question_rng(self.name))
        return public + [Case(c.args, c.kwargs, f"hidden {i}", True) for i, c in enumerate(drawn)]


@dataclass(frozen=True)
class ValueQuestion:
    """The student computes a value (a number or an array) and stores it in variable ``target``."""

    name: str
    points: float
    target: str
    summary: str
    expected: Callable[[], Any]
    rtol: float = 1e-4
    atol: float = 1e-6
    mistakes: tuple[Mistake, ...] = ()
    kind: str = field(default="value", init=False)


@dataclass(frozen=True)
class Baseline:
    """A trivial model of a model question's task, fitted and scored by the grader itself.

    ``predict(data)`` fits on ``data.x_train``/``y_train`` (closed form or a few NumPy steps, in the
    trusted parent) and returns predictions for ``data.x_eval`` in the form the student's model is
    scored in (the question's metric reads both alike): seasonal naive, least squares, majority
    class, bag of words, a bigram model, a copy of the source. Its score on the hidden ``y_eval``
    is reported in the feedback; with ``bar`` (the default) it also sets a pass mark (see
    :class:`ModelQuestion`), without it the score is shown for reference only. ``margin``, if
    given, replaces the question's margin for this baseline (0.0: "at least as good as it").
    """

    name: str
    predict: Callable[[ModelData], Any]
    bar: bool = True
    margin: float | None = None


@dataclass(frozen=True)
class Decoding:
    """Grade a conditional sequence model by free-running greedy decoding, not by its predictions.

    The model maps ``[condition..., tokens (B, T)] -> scores (B, T, V)`` (an encoder-decoder:
    ``[source ids, decoder input ids]``; a captioner: ``[image features, caption ids so far]``).
    After training (with teacher forcing, on ``x_train``/``y_train`` as usual) the sandboxed child
    runs :func:`seqcourse.grading.modelprobe.greedy_decode` on ``x_eval``: the token input at
    ``slot`` (a key of :func:`input_arrays`: ``"1"`` for the second array of a tuple, a name for a
    dict) is replaced by ``<s>`` (``start_id``) followed only by the tokens the model produced
    itself, for at most ``max_len`` steps; a row ends at ``</s>`` (``end_id``) or padding. So a
    model that learned to copy the teacher's next token, or to read ahead in the decoder input,
    decodes nothing useful. ``x_eval``'s own token array is never read (send zeros, ``max_len``
    wide).

    The decoded ids come back as ``(N, max_len)`` padded with 0; ``y_eval`` holds the reference
    ids ``(N, L)`` padded with 0 (no ``<s>``, no ``</s>``), and the question's metric is a
    sequence metric: ``"exact_match"`` or ``"bleu"`` (corpus BLEU-4,
    :func:`seqcourse.inference.metrics.bleu`).
    Baselines of such a question return decoded ids in the same form.
    """

    start_id: int
    end_id: int
    max_len: int
    slot: str = "1"


@dataclass(frozen=True)
class ModelQuestion:
    """The student writes ``target(**builder_kwargs)`` returning a compiled Keras model.

    The sandboxed child builds it, trains it on ``data.x_train``/``y_train`` for at most ``epochs``
    epochs and ``budget`` CPU seconds (``budget_fast`` in fast mode), from a fixed seed, and returns
    its predictions on ``x_eval`` (or, with ``decode``, the sequences it
    decodes greedily, see :class:`Decoding`), with its structure and layer ablations
    (:mod:`seqcourse.grading.modelprobe`). The parent decides:

    1. ``requires``: layer class names (``"GRU"`` also matches ``GRUCell`` inside ``RNN`` or
       ``Bidirectional``; ``"*Attention"`` any class whose name ends so), one of which must be in
       the model, on a path from an input to an output, and matter (zeroing its weights changes the
       predictions); else 0, saying that the question asks for ``technique``;
    2. the pass mark: ``metric`` on ``y_eval`` must remove the fraction ``margin`` of the *error* of
       the best baseline with ``bar`` (error = the metric for mse/mae, 1 - the metric for accuracy,
       exact match, BLEU): ``needed = best * (1 - margin)`` for errors, ``1 - (1 - best) *
       (1 - margin)`` for scores (a baseline's own ``margin`` replaces the question's for it; the
       strictest mark holds); with ``partial``, scores between that baseline and ``needed`` earn
       credit in proportion; ``threshold``, if given, is an absolute pass mark besides (the
       stricter holds; a question without baselines needs it);
    3. ``twin``: the child also trains the same builder's model with its regularisation removed
       (dropout rates, noise, weight penalties set to zero) under the same seed and budget; its
       score is a baseline ("the same model without its regularisation"), and a model with nothing
       to remove scores 0.

    ``other_length`` says that ``x_eval``'s sequences are not as long as ``x_train``'s (the model
    must accept any length, ``keras.Input((None, D))``); the feedback explains a failure there.
    """

    name: str
    points: float
    target: str
    summary: str
    data: Callable[[bool], ModelData]
    builder_kwargs: Callable[[ModelData], dict]
    metric: str
    threshold: float | None = None
    epochs: int = 20
    batch_size: int = 32
    budget: float = 60.0
    budget_fast: float = 15.0
    baselines: tuple[Baseline, ...] = ()
    margin: float = 0.0
    partial: bool = False
    requires: tuple[str, ...] = ()
    technique: str = ""
    decode: Decoding | None = None
    twin: bool = False
    other_length: bool = False
    kind: str = field(default="model", init=False)

    def __post_init__(self):
        if self.metric not in METRICS:
            raise ValueError(
                f"{self.name}: metric must be one of {sorted(METRICS)}, not {self.metric!r}"
            )
        if self.threshold is None and not self.baselines and not self.twin:
            raise ValueError(f"{self.name}: a model question needs baselines or a threshold")
        if not 0.0 <= self.margin < 1.0:
            raise ValueError(f"{self.name}: margin must be in [0, 1), not {self.margin}")
        if (self.decode is not None) != (self.metric in SEQUENCE_METRICS):
            raise ValueError(
                f"{self.name}: decoding questions use a sequence metric {SEQUENCE_METRICS} and "
                "only they do"
            )
        if self.requires and not self.technique:
            raise ValueError(f"{self.name}: say in `technique` what `requires` asks for")


Question = FunctionQuestion | ValueQuestion | ModelQuestion


@dataclass(frozen=True)
class Assignment:
    """A graded notebook: its name is the notebook's file stem, e.g. ``02_rnn_from_scratch``."""

    name: str
    questions: tuple[Question, ...]
    cell_timeout: float = 60.0
    call_timeout: float = 20.0

    def __post_init__(self):
        names = [q.name for q in self.questions]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: question names repeat: {names}")

    @property
    def max_total(self) -> float:
        return float(sum(q.points for q in self.questions))

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(
            f"{self.name} has no question {name!r}; it has {[q.name for q in self.questions]}"
        )


def question_rng(name: str) -> np.random.Generator:
    """The generator of a question's hidden cases: its name, salted by ``$SEQCOURSE_GRADING_SALT``.

    Instructors set the salt for a term so that hidden inputs cannot be computed from the
    public source.
    """
    salt = os.environ.get(SALT_ENV, "0").strip() or "0"
    return np.random.default_rng([zlib.crc32(name.encode()), zlib.crc32(salt.encode())])


def random_sizes(rng, count: int, *ranges: tuple[int, int]) -> list[list[int]]:
    """``count`` draws of one integer per ``(low, high)`` range, both ends included.

    Hidden cases vary their shapes with it: ``random_sizes(rng, 4, (1, 4), (1, 5))`` gives four
    ``[batch, features]`` pairs.
    """
    return [[int(rng.integers(low, high + 1)) for low, high in ranges] for _ in range(count)]
