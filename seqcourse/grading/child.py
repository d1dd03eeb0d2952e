"""The grader's child: runs INSIDE the sandbox, executes one submission and reports raw results.

Usage (by :mod:`seqcourse.grading.sandbox` only): ``python child.py TASK_DIR RESULT_FD``.

``TASK_DIR`` holds ``task.json`` (the submission's code cells, the questions' targets and case
*inputs*, limits) and ``inputs.npz``; nothing in it says what the right answers are. The child

1. lowers its resource limits (memory, CPU seconds, processes, open files, file size, cores);
2. replaces ``seqcourse.grading`` by a module whose ``check`` does nothing and refuses to import
   ``seqcourse.reference`` (the sandbox's ``seqcourse`` has no such module anyway);
3. runs every code cell in a fresh ``__main__`` namespace, IPython syntax transformed by IPython's
   ``TransformerManager`` and magics served by a small shell: ``%time``/``%timeit``/``%%time``/
   ``%%capture`` run their code once, ``%%writefile`` writes into the sandbox, shell escapes
   (``!ls``) and every other magic are neutralised (reported, not run);
4. calls the student's functions on the case inputs (each call under an alarm), reads variables, or
   builds, trains (within a time budget) and runs Keras models (predicting, or decoding greedily,
   and measuring the model with :mod:`modelprobe`), and writes each question's raw result as one
   JSON line (arrays as a base64 ``.npz``, see :mod:`wire`) to ``RESULT_FD``.

It never decides whether anything is right: the parent does, with the expected values it never sent.
Events: ``hello``, ``cell_start``/``cell_end`` (index, error), ``start``/``result`` (question),
``note``, ``done``; each carries the pid of the process that wrote it.
The parent restarts the child without a cell or question that killed it (``os._exit``, a hang).

This file is copied into the sandbox with ``wire.py`` and ``modelprobe.py``; it imports nothing
from ``seqcourse.grading``.
"""

import builtins
import importlib.abc
import json
import os
import re
import resource
import signal
import sys
import time
import traceback
import types

import numpy as np
import wire

_getpid = os.getpid
_write = os.write  # bound now: submissions may monkeypatch os later
_dumps = json.dumps
_exit = os._exit
_monotonic = time.monotonic
_cpu_seconds = time.process_time  # all threads of this process


class GraderTimeout(BaseException):
    """Raised by the alarm when a cell or a call runs past its time limit."""


class Reporter:
    """Writes one JSON event per line to the result pipe; dies quietly if the pipe was closed."""

    def __init__(self, fd: int):
        # A private copy of the descriptor, away from the low numbers submissions tend to close.
        self.fd = os.dup2(fd, 1000) if fd != 1000 else fd
        if fd != 1000:
            os.close(fd)

    def emit(self, **event) -> None:
        event["pid"] = _getpid()  # the parent ignores events of processes a submission forked
        data = (_dumps(event) + "\n").encode()
        try:
            view = memoryview(data)
            while view:
                written = _write(self.fd, view)
                view = view[written:]
        except OSError:
            _exit(3)


def set_limits(limits: dict) -> None:
    """Lower soft and hard limits together, so the submission cannot raise them again."""
    mb = 2**20
    wanted = {
        resource.RLIMIT_AS: int(limits["memory_mb"]) * mb,
        resource.RLIMIT_CPU: int(limits["cpu_seconds"]),
        resource.RLIMIT_NPROC: int(limits["nproc"]),
        resource.RLIMIT_NOFILE: int(limits["nofile"]),
        resource.RLIMIT_FSIZE: int(limits["fsize_mb"]) * mb,
        resource.RLIMIT_CORE: 0,
    }
    for which, value in wanted.items():
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


class _Alarm:
    """``with _Alarm(seconds):`` raises :class:`GraderTimeout` in the block after ``seconds``."""

    def __init__(self, seconds: float):
        self.seconds = max(float(seconds), 0.01)

    def __enter__(self):
        signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return False

    def _fire(self, signum, frame):
        raise GraderTimeout(f"took longer than {self.seconds:g} s")


class _BlockCourseInternals(importlib.abc.MetaPathFinder):
    """Graded code may not import the course's reference implementations or the grader."""

    blocked = ("seqcourse.reference", "seqcourse.grading.")

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "seqcourse.reference" or fullname.startswith(self.blocked):
            raise ModuleNotFoundError(
                f"{fullname} is not available to graded code: write the function yourself"
            )
        return None


def install_course_stubs() -> None:
    """``seqcourse.grading.check`` becomes a no-op and ``seqcourse.reference`` unimportable."""
    sys.meta_path.insert(0, _BlockCourseInternals())
    fake = types.ModuleType("seqcourse.grading")
    fake.__path__ = []  # a package without submodules
    fake.check = lambda *args, **kwargs: None
    sys.modules["seqcourse.grading"] = fake
    try:
        import seqcourse
    except Exception:  # the sandbox has no usable seqcourse: the submission's import will say so
        return
    seqcourse.grading = fake


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Keras colours its messages for a terminal


def describe_error(error: BaseException) -> str:
    """``Type: message (cell N, line L)`` for the submission's feedback, without grader frames."""
    where = ""
    for frame, line in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename.startswith("<cell"):
            where = f" ({frame.f_code.co_filename.strip('<>')}, line {line})"
    message = str(error) if isinstance(error, GraderTimeout) else _ANSI.sub("", str(error))[:500]
    kind = type(error).__name__
    return f"{kind}: {message}{where}" if message else f"{kind}{where}"


class Shell:
    """Enough of IPython's shell for the code ``TransformerManager`` produces from magics."""

    def __init__(self, namespace: dict, reporter: Reporter):
        self.user_ns = namespace
        self.reporter = reporter
        # Accepted and ignored: the grader transforms cells itself.
        self.input_transformers_post = []
        self.input_transformers_cleanup = []
        self.events = types.SimpleNamespace(register=self._ignore, unregister=self._ignore)
        from IPython.core.inputtransformer2 import TransformerManager

        self.transformer = TransformerManager()

    def _ignore(self, *args, **kwargs):
        return None

    def transform(self, source: str) -> str:
        if not re.search(r"^\s*[%!]|[?]\s*$|=\s*[%!]", source, re.M):
            return source  # plain Python: skip IPython's (slower) transformation
        return self.transformer.transform_cell(source)

    def _run(self, code: str, label: str):
        code = self.transform(code)
        try:
            compiled = compile(code, label, "eval")
        except SyntaxError:
            exec(compile(code, label, "exec"), self.user_ns)
            return None
        return eval(compiled, self.user_ns)

    def _note(self, what: str) -> None:
        self.reporter.emit(event="note", text=f"{what} is not run by the grader")

    def run_line_magic(self, name: str, line: str, _stack_depth=None):
        if name in ("time", "timeit", "prun"):
            statement = re.sub(r"^(\s*-\w+(\s+[\d.]+)?)*\s*", "", line)  # drop -n 10 -r 3 -q -o
            return self._run(statement, "<cell magic>")
        self._note(f"%{name}")
        return None

    def run_cell_magic(self, name: str, line: str, cell: str):
        if name in ("time", "timeit", "capture", "prun"):
            self._run(cell, "<cell magic>")
            return None
        if name == "writefile":
            path = line.split()[-1] if line.split() else "untitled.py"
            with open(path, "a" if "-a" in line.split() else "w") as handle:
                handle.write(cell)
            return None
        self._note(f"%%{name}")
        return None

    def system(self, command: str):
        self._note(f"shell command `!{command}`")

    def getoutput(self, command: str, split=True, depth=0):
        self._note(f"shell command `!{command}`")
        return []

    def run_cell(self, source: str, *args, **kwargs):
        self._run(source, "<run_cell>")


REAP = [False]


def reap_strays() -> None:
    """In the sandbox's PID namespace, kill every process the submission left (never outside it)."""
    if REAP[0]:
        try:
            os.kill(-1, signal.SIGKILL)  # all processes we may signal, except ourselves and init
        except OSError:
            pass


def run_cells(cells: list, skip: set, namespace: dict, shell: Shell, reporter, timeout: float):
    for index, source in enumerate(cells):
        if index in skip:
            reporter.emit(event="cell_skipped", index=index)
            continue
        reporter.emit(event="cell_start", index=index)
        error = None
        try:
            code = compile(shell.transform(source), f"<cell {index + 1}>", "exec")
            with _Alarm(timeout):
                exec(code, namespace)
        except BaseException as caught:  # SystemExit, KeyboardInterrupt, timeouts: all recorded
            error = describe_error(caught)
        reap_strays()
        reporter.emit(event="cell_end", index=index, error=error)


def _call(function, args, kwargs, timeout):
    try:
        with _Alarm(timeout):
            return function(*args, **kwargs)
    finally:
        reap_strays()


def grade_function(question: dict, namespace: dict, arrays: dict, timeout: float) -> list:
    target = namespace.get(question["target"])
    if target is None:
        return [{"error": f"`{question['target']}` is not defined"}] * len(question["cases"])
    if not callable(target):
        kind = wire.describe_type(target)
        return [{"error": f"`{question['target']}` is a {kind}, not a function"}] * len(
            question["cases"]
        )
    outcomes = []
    for case in question["cases"]:
        out_arrays: dict = {}
        try:
            args = wire.decode(case["args"], {k: v.copy() for k, v in arrays.items()})
            kwargs = wire.decode(case["kwargs"], {k: v.copy() for k, v in arrays.items()})
            value = _call(target, args, kwargs, timeout)
            tree = wire.encode(value, out_arrays)
        except NotImplementedError:
            outcomes.append({"error": "not implemented yet (raises NotImplementedError)"})
            continue
        except wire.WireError as error:
            outcomes.append({"error": f"returned {error}; return a numpy.ndarray or a number"})
            continue
        except BaseException as error:
            outcomes.append({"error": f"raised {describe_error(error)}"})
            continue
        outcomes.append({"value": tree, "npz": wire.pack_arrays(out_arrays)})
    return outcomes


def grade_value(question: dict, namespace: dict) -> list:
    name = question["target"]
    if name not in namespace:
        return [{"error": f"`{name}` is not defined"}]
    out_arrays: dict = {}
    try:
        tree = wire.encode(namespace[name], out_arrays)
    except wire.WireError as error:
        return [{"error": f"`{name}` is {error}; store a number or a numpy.ndarray"}]
    return [{"value": tree, "npz": wire.pack_arrays(out_arrays)}]


def _model_inputs(value):
    """One array as it is; a tuple of arrays as a list (Keras reads a tuple as (x, y))."""
    return list(value) if type(value) is tuple else value


def _first_rows(value, count: int):
    """The first ``count`` rows of model inputs (an array, a list or a dict of arrays)."""
    if isinstance(value, list):
        return [a[:count] for a in value]
    if isinstance(value, dict):
        return {k: a[:count] for k, a in value.items()}
    return value[:count]


def _measure(what, function, *args):
    """``function(*args)``, or ``None`` with a note when the measurement itself fails."""
    try:
        return function(*args)
    except BaseException as error:
        return {"__failed__": f"{what} failed: {describe_error(error)}"}


def grade_model(question: dict, namespace: dict, arrays: dict, reporter: Reporter) -> list:
    """Build, train and run the student's model; report predictions and measurements, no verdict.

    The result holds the predictions on ``x_eval`` (or, for a decoding question, the sequences
    :func:`modelprobe.greedy_decode` produced), the training history, the model's structure
    (:func:`modelprobe.describe`) and layer ablations (:func:`modelprobe.ablation`); with
    ``"twin"``, also the predictions of the same builder's model trained with its regularisation
    removed (:func:`modelprobe.strip_regularisation`), under the same seed and budget.
    """
    builder = namespace.get(question["target"])
    if not callable(builder):
        return [{"error": f"`{question['target']}` is not defined as a function"}]
    import keras
    import modelprobe

    seed = int(question.get("seed", 0))
    kwargs = wire.decode(question["kwargs"], arrays)
    # Several inputs arrive as a tuple (-> a list, in the order of the model's inputs) or a dict
    # (keyed by the names of its keras.Input s); both are what Keras's fit and predict accept.
    data = {k: _model_inputs(wire.decode(v, arrays)) for k, v in question["data"].items()}
    budget = float(question["budget"])
    deadline = [0.0]

    class TimeBudget(keras.callbacks.Callback):
        """Stops training when the question's budget of CPU seconds is spent (checked per batch).

        CPU time, not wall time: a grader sharing its cores with other work still gives every
        submission the same amount of computation, so a grade does not depend on the machine's load.
        """

        def on_train_batch_end(self, batch, logs=None):
            if _cpu_seconds() > deadline[0]:
                self.model.stop_training = True

    def build():
        keras.utils.set_random_seed(seed)
        model = builder(**kwargs)
        if not isinstance(model, keras.Model):
            kind = wire.describe_type(model)
            raise _Refused(f"`{question['target']}` returned a {kind}, not a keras.Model")
        if getattr(model, "optimizer", None) is None:
            raise _Refused("the model is not compiled: call model.compile(...) in the builder")
        return model

    def train(model) -> dict:
        keras.utils.set_random_seed(seed)
        started, cpu_started = _monotonic(), _cpu_seconds()
        deadline[0] = cpu_started + budget
        fit = model.fit(
            data["x_train"],
            data["y_train"],
            epochs=int(question["epochs"]),
            batch_size=int(question["batch_size"]),
            verbose=0,
            shuffle=True,
            callbacks=[TimeBudget()],
        )
        return {
            "epochs": len(fit.history.get("loss", [])),
            "seconds": round(_monotonic() - started, 2),
            "cpu_seconds": round(_cpu_seconds() - cpu_started, 2),
        }

    def outputs(model):
        decode = question.get("decode")
        if decode:
            return modelprobe.greedy_decode(
                model,
                data["x_eval"],
                decode["slot"],
                int(decode["start_id"]),
                int(decode["end_id"]),
                int(decode["max_len"]),
            )
        return model.predict(data["x_eval"], verbose=0, batch_size=256)

    result: dict = {}
    copies = 2 if question.get("twin") else 1
    try:
        with _Alarm(copies * (budget * 4 + 120.0)):  # a backstop in wall time; budgets are CPU
            model = build()
            result["structure"] = _measure("reading the model's layers", modelprobe.describe, model)
            requires = question.get("requires") or []
            layers = result["structure"].get("layers")
            if (
                requires
                and isinstance(layers, list)
                and not any(modelprobe.matches_required(e, requires) for e in layers)
            ):
                # No layer of the kind the question requires: the verdict is 0 whatever the model
                # would learn, so the budget is not spent (the parent re-checks the structure).
                return [{**result, "skipped": True}]
            result["training"] = train(model)
            predictions = outputs(model)
            probe = _first_rows(data["x_train"], 64)
            result["ablation"] = _measure("ablating layers", modelprobe.ablation, model, probe)
            if question.get("twin"):
                twin = build()
                removed = modelprobe.strip_regularisation(twin)
                result["twin"] = {"removed": removed}
                if removed:
                    result["twin"]["training"] = train(twin)
                    twin_predictions = outputs(twin)
                else:  # nothing removed: the twin is this very model, trained the same way
                    twin_predictions = predictions
    except NotImplementedError:
        return [{**result, "error": "not implemented yet (raises NotImplementedError)"}]
    except _Refused as refused:
        return [{**result, "error": str(refused)}]
    except BaseException as error:
        return [{**result, "error": f"raised {describe_error(error)}"}]
    reporter.emit(event="note", text=f"{question['name']}: trained {result.get('training')}")
    out_arrays: dict = {}
    try:
        result["value"] = wire.encode(predictions, out_arrays)
        if "twin" in result:
            result["twin"]["value"] = wire.encode(twin_predictions, out_arrays)
        json.dumps(result)  # the measurements are plain data (a submission could not make them not)
    except (wire.WireError, TypeError, ValueError) as error:
        return [{"error": f"the model's predictions are {error}"}]
    result["npz"] = wire.pack_arrays(out_arrays)
    return [result]


class _Refused(Exception):
    """A built object the grader cannot train (not a Keras model, not compiled)."""


def main(task_dir: str, result_fd: int) -> None:
    reporter = Reporter(result_fd)
    with open(os.path.join(task_dir, "task.json")) as handle:
        task = json.load(handle)
    with np.load(os.path.join(task_dir, "inputs.npz"), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    set_limits(task["limits"])
    REAP[0] = bool(task.get("sandboxed"))
    reporter.emit(event="hello")
    install_course_stubs()

    main_module = types.ModuleType("__main__")
    namespace = main_module.__dict__
    namespace["__builtins__"] = builtins
    shell = Shell(namespace, reporter)
    builtins.get_ipython = lambda: shell
    builtins.display = lambda *args, **kwargs: None
    sys.modules["__main__"] = main_module
    sys.argv = ["notebook"]

    run_cells(
        task["cells"], set(task["skip_cells"]), namespace, shell, reporter, task["cell_timeout"]
    )
    for question in task["questions"]:
        reporter.emit(event="start", question=question["name"])
        if question["kind"] == "function":
            outcomes = grade_function(question, namespace, arrays, task["call_timeout"])
        elif question["kind"] == "value":
            outcomes = grade_value(question, namespace)
        else:
            outcomes = grade_model(question, namespace, arrays, reporter)
        reporter.emit(event="result", question=question["name"], cases=outcomes)
    reporter.emit(event="done")
    try:
        sys.stdout.flush()
    except BaseException:  # a submission may have replaced sys.stdout with anything
        pass
    _exit(0)  # skip atexit handlers and threads a submission may have left behind


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
