"""Valid but technique-free submissions of every model question: each builds, compiles and trains,
and each must score 0 on its question (tests/grading/test_trivial_submissions.py), while the
solution's builder keeps full marks. ``scripts/bench_grading_baselines.py`` measures them too.

``TRIVIAL[question] = {label: source}``; every source defines ``build(**builder_kwargs)`` and
imports what it uses, as a notebook cell would.
"""

import dataclasses
import json
import os
from pathlib import Path

import numpy as np

from seqcourse.grading import runner, sandbox, wire
from seqcourse.grading.notebook import code_cells
from seqcourse.grading.spec import SALT_ENV, Assignment, ModelQuestion, input_arrays

HEADER = "import keras\nimport numpy as np\nL = keras.layers\n\n\n"

_REGRESSION = 'model.compile(optimizer=keras.optimizers.Adam({lr}), loss="{loss}")'
_CLASSIFIER = (
    "model.compile(optimizer=keras.optimizers.Adam({lr}), "
    "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))"
)


def _builder(signature: str, body: str, compile_line: str) -> str:
    lines = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return f"{HEADER}def build({signature}):\n{lines}\n    {compile_line}\n    return model\n"


# A feed-forward model of each step, summed over the steps: it solves the adding problem without
# any recurrence (value * marker, added up), at every length. Only the required layer stops it.
_SUMMED_STEPS = _builder(
    "features",
    """
x = keras.Input((None, features))
per_step = L.Dense(32, activation="relu")(L.Dense(32, activation="relu")(x))
summed = L.Lambda(lambda t: keras.ops.sum(t, axis=1))(L.Dense(1)(per_step))
model = keras.Model(x, summed)
""",
    _REGRESSION.format(lr="3e-3", loss="mse"),
)

# Encoder-decoders of chapters 11 and 12, from a skeleton: ``{decoder}`` turns the embedded decoder
# input ``read`` and the encoder's ``outputs``/``context`` into ``states`` (B, T, H).
_ENCODER_DECODER = """
source = keras.Input((None,), dtype="int32")
decoder_input = keras.Input((None,), dtype="int32")
embedded = L.Embedding(source_vocab, 32, mask_zero=True)(source)
outputs, context = L.GRU(96, return_sequences=True, return_state=True)(embedded)
read = L.Embedding(target_vocab, 32, mask_zero=True)(decoder_input)
{decoder}
model = keras.Model([source, decoder_input], L.Dense(target_vocab)(states))
"""


def _encoder_decoder(decoder: str) -> str:
    return _builder(
        "source_vocab, target_vocab",
        _ENCODER_DECODER.format(decoder=decoder.strip()),
        _CLASSIFIER.format(lr="3e-3"),
    )


# Least squares' model class, trained by gradient descent: a Dense layer on the flattened window.
_FLAT_DENSE = _builder(
    "window",
    """
model = keras.Sequential([keras.Input((window, 1)), L.Flatten(), L.Dense(1)])
""",
    _REGRESSION.format(lr="1e-2", loss="mae"),
)

TRIVIAL: dict[str, dict[str, str]] = {
    "linear_forecaster": {
        # Persistence with a learned scale and offset: a linear model of the last value only.
        "a linear model of the last value": _builder(
            "window",
            """
x = keras.Input((window, 1))
model = keras.Model(x, L.Dense(1)(L.Lambda(lambda w: w[:, -1])(x)))
""",
            _REGRESSION.format(lr="1e-2", loss="mae"),
        ),
    },
    "rnn_forecaster": {"Dense on the flattened window": _FLAT_DENSE},
    "demand_forecaster": {"Dense on the flattened window": _FLAT_DENSE},
    "adding_model": {"steps summed by a feed-forward net": _SUMMED_STEPS},
    "gru_adding_model": {"steps summed by a feed-forward net": _SUMMED_STEPS},
    "future_context_tagger": {
        # Reads left to right only: the ambiguous words' cue comes later.
        "left-to-right GRU": _builder(
            "vocabulary_size, tags",
            """
model = keras.Sequential(
    [
        keras.Input((None,), dtype="int32"),
        L.Embedding(vocabulary_size, 16, mask_zero=True),
        L.GRU(32, return_sequences=True),
        L.Dense(tags),
    ]
)
""",
            _CLASSIFIER.format(lr="1e-2"),
        ),
    },
    "order_model": {
        "bag of token embeddings": _builder(
            "vocab_size, steps",
            """
model = keras.Sequential(
    [
        keras.Input((steps,), dtype="int32"),
        L.Embedding(vocab_size, 32),
        L.GlobalAveragePooling1D(),
        L.Dense(32, activation="relu"),
        L.Dense(2),
    ]
)
""",
            _CLASSIFIER.format(lr="2e-3"),
        ),
    },
    "translator": {
        # Step t reads decoder input t + 1, which teacher forcing fills with step t's label.
        "decoder that reads the next teacher token": _encoder_decoder(
            """
ahead = L.Lambda(lambda t: keras.ops.roll(t, -1, axis=1))(read)
states = L.GRU(96, return_sequences=True)(ahead, initial_state=context)
"""
        ),
    },
    "attentive_translator": {
        # Chapter 11's model: the decoder sees the source only through the encoder's last state.
        "encoder-decoder without attention": _encoder_decoder(
            """
states = L.GRU(96, return_sequences=True)(read, initial_state=context)
"""
        ),
    },
    "regularised_forecaster": {
        # The chapter's model as it over-fits: no dropout, no penalty.
        "GRU(128) without regularisation": _builder(
            "window, features",
            """
model = keras.Sequential([keras.Input((window, features)), L.GRU(128), L.Dense(1)])
""",
            _REGRESSION.format(lr="3e-3", loss="mse"),
        ),
    },
    "review_classifier": {
        # The mean of the review's GloVe vectors (fine-tuned): order ignored.
        "bag of word embeddings": _builder(
            "vocab_size, vectors",
            """
model = keras.Sequential(
    [
        keras.Input((None,), dtype="int32"),
        L.Embedding(
            vocab_size,
            vectors.shape[1],
            embeddings_initializer=keras.initializers.Constant(vectors),
            mask_zero=True,
        ),
        L.GlobalAveragePooling1D(),
        L.Dense(1, activation="sigmoid"),
    ]
)
""",
            'model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")',
        ),
    },
    "char_model": {
        # Each character's embedding read alone: a bigram model in Keras.
        "embedding and Dense, no recurrence": _builder(
            "vocab_size",
            """
model = keras.Sequential(
    [
        keras.Input((None,), dtype="int32"),
        L.Embedding(vocab_size, 32),
        L.Dense(128, activation="relu"),
        L.Dense(vocab_size),
    ]
)
""",
            _CLASSIFIER.format(lr="5e-3"),
        ),
    },
    "captioner": {
        # "Show and tell": the image enters only through the decoder's initial state.
        "captioner without attention": _builder(
            "vocab_size, image_size",
            """
images = keras.Input((image_size, image_size, 3))
tokens = keras.Input((None,), dtype="int32")
grid = L.MaxPooling2D()(L.Conv2D(16, 3, padding="same", activation="relu")(images))
grid = L.MaxPooling2D()(L.Conv2D(32, 3, padding="same", activation="relu")(grid))
grid = L.Reshape((-1, 32))(grid)
start = L.Dense(64, activation="tanh")(L.GlobalAveragePooling1D()(grid))
embedded = L.Embedding(vocab_size, 32)(tokens)
states = L.GRU(64, return_sequences=True)(embedded, initial_state=start)
model = keras.Model([images, tokens], L.Dense(vocab_size)(states))
""",
            _CLASSIFIER.format(lr="5e-3"),
        ),
    },
    "speaker_model": {
        "mean frame": _builder(
            "features, n_speakers",
            """
model = keras.Sequential(
    [
        keras.Input((None, features)),
        L.Masking(0.0),
        L.GlobalAveragePooling1D(),
        L.Dense(64, activation="relu"),
        L.Dense(n_speakers),
    ]
)
""",
            _CLASSIFIER.format(lr="3e-3"),
        ),
    },
}


def source(question: str, label: str, target: str) -> str:
    """The trivial submission ``label`` of ``question`` with its builder named ``target``."""
    return TRIVIAL[question][label].replace("def build(", f"def {target}(", 1)


# --- grading a solution's builder and the trivial submissions together ----------------------

ROOT = Path(__file__).resolve().parents[2]


def model_question(assignment):
    """The assignment's one model question."""
    (question,) = [q for q in assignment.questions if isinstance(q, ModelQuestion)]
    return question


def solution_builder(assignment) -> str:
    """The code cell of ``solutions/NAME.md`` that defines the model question's builder."""
    target = model_question(assignment).target
    cells = code_cells(ROOT / "solutions" / f"{assignment.name}.md")
    (cell,) = [c for c in cells if f"def {target}(" in c]
    return HEADER + cell


def contenders(assignment) -> tuple[Assignment, dict[str, str], list[str]]:
    """A copy of the assignment holding only its model question and one copy of it per trivial
    submission (same data, baselines and pass mark; named ``question [label]``), the label of
    each question, and the code cells that define every builder."""
    question = model_question(assignment)
    questions, labels, cells = (
        [question],
        {question.name: "solution"},
        [solution_builder(assignment)],
    )
    for index, label in enumerate(TRIVIAL.get(question.name, {})):
        target = f"trivial_{index}"
        copy = dataclasses.replace(question, name=f"{question.name} [{label}]", target=target)
        questions.append(copy)
        labels[copy.name] = label
        cells.append(source(question.name, label, target))
    grouped = Assignment(f"{assignment.name} (model)", tuple(questions), assignment.cell_timeout)
    return grouped, labels, cells


def _task_parts(prepared, question) -> tuple[str, dict]:
    task, arrays = prepared.task([question], [], set())
    return json.dumps(task["questions"][0], sort_keys=True), arrays


def _same_arrays(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _shareable(preps: list, question) -> str:
    """ "same" if every salt sends the child the same task for ``question``; "union" if only the
    evaluation inputs differ (their rows can be predicted in one run and split: inference is row
    by row); "" if the training differs."""
    first = preps[0].model_data[question.name]
    tasks = [_task_parts(p, question) for p in preps]
    if all(t[0] == tasks[0][0] and _same_arrays(t[1], tasks[0][1]) for t in tasks):
        return "same"
    for prepared in preps[1:]:
        data = prepared.model_data[question.name]
        if question.builder_kwargs(data) != question.builder_kwargs(first):
            return ""
        for name in ("x_train", "y_train"):
            if not _same_arrays(
                input_arrays(getattr(first, name)), input_arrays(getattr(data, name))
            ):
                return ""
    return "union"


def _union(preps: list, question) -> list[tuple[int, int]]:
    """Put every salt's evaluation rows into the first Prepared; return each salt's row range."""
    parts = [p.model_data[question.name] for p in preps]
    ranges, start = [], 0
    for data in parts:
        ranges.append((start, start + len(data.y_eval)))
        start += len(data.y_eval)
    joined = {
        k: np.concatenate([input_arrays(d.x_eval)[k] for d in parts])
        for k in input_arrays(parts[0].x_eval)
    }
    x_eval = tuple(joined.values()) if isinstance(parts[0].x_eval, tuple) else joined
    preps[0].model_data[question.name] = dataclasses.replace(
        parts[0], x_eval=x_eval, y_eval=np.concatenate([d.y_eval for d in parts])
    )
    return ranges


def _rows(outcome: dict, start: int, stop: int) -> dict:
    """The child's outcome with its predictions (and its twin's) cut to rows start..stop."""
    if "value" not in outcome:
        return outcome
    arrays = wire.unpack_arrays(outcome.get("npz", ""))
    cut: dict = {}
    sliced = dict(outcome)
    sliced["value"] = wire.encode(wire.decode(outcome["value"], arrays)[start:stop], cut)
    if isinstance(outcome.get("twin"), dict) and "value" in outcome["twin"]:
        twin = dict(outcome["twin"])
        twin["value"] = wire.encode(wire.decode(twin["value"], arrays)[start:stop], cut)
        sliced["twin"] = twin
    sliced["npz"] = wire.pack_arrays(cut)
    return sliced


def grade_contenders(assignment, salts, *, fast=True, seed=0, limits=None, set_salt=None):
    """Grade the solution's builder and every trivial submission of ``assignment``'s model question
    under each salt: ``{salt: {label: QuestionResult}}``, and the number of sandbox runs it took.

    One run serves several salts when it stays honest: when every salt sends the child the same
    task, or when only the evaluation inputs differ (then the child predicts all salts' rows at
    once and each salt judges its own rows, against its own baselines). ``set_salt(salt)`` sets
    ``$SEQCOURSE_GRADING_SALT`` (a pytest monkeypatch, or os.environ by default).
    """
    set_salt = set_salt or (lambda salt: os.environ.__setitem__(SALT_ENV, salt))
    grouped, labels, cells = contenders(assignment)
    preps = []
    for salt in salts:
        set_salt(salt)
        preps.append(runner.Prepared(grouped, fast=fast, seed=seed))
    limits = limits or sandbox.Limits()
    limits = limits.with_default_timeout(preps[0].default_timeout())
    verdicts: dict = {salt: {} for salt in salts}
    runs = 0
    how = {q.name: _shareable(preps, q) for q in grouped.questions}
    groups = [list(range(len(salts)))] if all(how.values()) else [[i] for i in range(len(salts))]
    for group in groups:
        members = [preps[i] for i in group]
        ranges = {
            q.name: (_union(members, q) if how[q.name] == "union" and len(group) > 1 else None)
            for q in grouped.questions
        }
        set_salt(salts[group[0]])
        result = runner.grade_cells("contenders", cells, members[0], limits)
        runs += 1
        for offset, index in enumerate(group):
            for question in grouped.questions:
                outcomes = result.raw.get(question.name, [])
                span = ranges[question.name]
                if span is not None and outcomes and isinstance(outcomes[0], dict):
                    outcomes = [_rows(outcomes[0], *span[offset])]
                set_salt(salts[index])
                own = (
                    runner.Prepared(grouped, fast=fast, seed=seed)
                    if span is not None
                    else preps[index]
                )
                verdicts[salts[index]][labels[question.name]] = runner.judge(
                    question, outcomes, own
                )
    return verdicts, runs
