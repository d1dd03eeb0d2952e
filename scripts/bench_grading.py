"""Grading throughput: submissions per minute with --jobs 1 and --jobs 2.

Two workloads, both graded in the bubblewrap sandbox exactly as ``seqcourse grade`` does:

* NumPy-only: the function and value questions of ``02_rnn_from_scratch`` (five questions, no
  TensorFlow in the sandbox), on copies of the solution notebook;
* Keras model: the whole ``01_sequence_data`` (three NumPy questions and a Keras model the sandbox
  trains within its time budget), on copies of the solution notebook.

Usage: ``python scripts/bench_grading.py [--numpy 16] [--keras 4] [--full]`` (fast-mode training
budgets unless ``--full``). Prints a Markdown table for BENCHMARKS.md.

``python scripts/bench_grading.py --course 1000`` measures a whole course instead: that many
generated submissions of exercise 3 (``03_training_rnns``, NumPy only), graded locally with
``--jobs 2`` and through ``seqcourse grade --slurm`` with 2 task slots on a single-node Slurm the
script starts (``tests/grading/slurm_cluster.py``), checking that both write the same files; then
the report (``report.html``) on them, and the similarity scan alone on 250 to 4 times as many
generated notebooks, with the growth exponent of its time. Each submission picks one of three
independent implementations of each answer (``tests/grading/answers.py``), renames its variables,
rewrites comments and layout, makes one of the grader's diagnosed mistakes or leaves an answer out
now and then, and adds exploration cells of its own; 2 % are disguised copies of another.
"""

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seqcourse.grading import batch, registry, sandbox

ROOT = Path(__file__).resolve().parent.parent


def _numpy_only(name: str):
    full = registry.get_assignment(name)
    questions = tuple(q for q in full.questions if q.kind != "model")
    return dataclasses.replace(full, name=f"{name} (NumPy questions)", questions=questions)


def _bench(assignment, source: Path, copies: int, jobs: int, fast: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as directory:
        folder = Path(directory) / "submissions"
        folder.mkdir()
        for i in range(copies):
            shutil.copy(source, folder / f"student{i:03d}.md")
        submissions = batch.find_submissions(folder)
        started = time.perf_counter()
        results = batch.grade_batch(
            submissions, assignment, Path(directory) / "out", jobs=jobs, fast=fast, progress=False
        )
        seconds = time.perf_counter() - started
    full = sum(r.total == r.max_total for r in results.values())
    per_submission = sorted(r.seconds for r in results.values())
    return {
        "seconds": seconds,
        "per_minute": 60.0 * copies / seconds,
        "median_submission": per_submission[len(per_submission) // 2],
        "full_marks": f"{full}/{copies}",
    }


# --- a whole course: generated submissions of exercise 3 -------------------------------------

COURSE = "03_training_rnns"
# Mistakes the grader diagnoses, per question and implementation: (old, new) in the answer.
MISTAKES = {
    0: [("/ y.size", ""), ("* (2.0 / n)", "* 2.0"), ("/ out.size", "")],  # the sum, not the mean
    1: [  # each array clipped by its own norm
        ("global_norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))", "global_norm = 0.0"),
        ("norm = np.linalg.norm(flat)", "norm = max(np.linalg.norm(g) for g in grads)"),
        ("total += float((g ** 2).sum())", "total = max(total, float((g ** 2).sum()))"),
    ],
    2: [  # the Frobenius norm
        ("norm(power, 2)", "norm(power)"),
        ("ord=2", 'ord="fro"'),
        ("np.linalg.svd(P, compute_uv=False)[0]", "np.linalg.norm(P)"),
    ],
}
GRADED = {"largest_gain"}  # the value the grader reads: never renamed
FUNCTIONS = "sum mean max min abs sqrt exp tanh log1p cumsum argmax clip square diff sort".split()
OPERATORS = ["+", "-", "*", "@", "/"]


def _exploration(rng) -> str:
    """A cell of a student's own: a few statements of random shape (names, numbers arbitrary)."""
    lines = []
    for _ in range(int(rng.integers(3, 8))):
        a, b = rng.choice(["x_small", "y_small", "analytic[0]", "weights[1]", "clipped[0]"], 2)
        function = rng.choice(FUNCTIONS)
        operator = rng.choice(OPERATORS[:3])
        shape = int(rng.integers(0, 4))
        if shape == 0:
            lines.append(f"print(np.{function}({a} {operator} {rng.integers(1, 9)}))")
        elif shape == 1:
            lines.append(f"t{rng.integers(99)} = np.{function}(np.asarray({a}).ravel())[:3]")
        elif shape == 2:
            lines.append(f"for i in range({rng.integers(2, 5)}):")
            lines.append(f"    print(i, np.{function}(np.asarray({b})) {operator} i)")
        else:
            lines.append(f"print({a!s}.shape if hasattr({a}, 'shape') else len({a}))")
    return "\n".join(lines)


def _student_answers(rng, tests_answers) -> list[str | None]:
    """The three answers of one student: an implementation each, perhaps mistaken or left out."""
    texts = []
    pools = [tests_answers.BPTT, tests_answers.CLIP, tests_answers.GROWTH]
    solution = tests_answers.SOLUTION.read_text()
    originals = [m.group(0) for m in tests_answers.BLOCK.finditer(solution)]
    for question, pool in enumerate(pools):
        which = int(rng.integers(3))
        text = pool[which]
        if text is None:  # the course's own: its block without the markers
            block = originals[question].splitlines(True)[1:-1]
            indent = len(block[0]) - len(block[0].lstrip())
            text = "".join(line[indent:] for line in block if "HINT" not in line)
        if rng.random() < 0.05:
            texts.append(None)  # not answered: the exercise's stub stays
            continue
        if rng.random() < 0.15:
            text = text.replace(*MISTAKES[question][which])
        names = sorted(set(re.findall(r"^\s*([A-Za-z_]\w*)\s*[+]?=", text, re.M)))
        text = tests_answers.rename(
            text,
            {
                n: f"{n}_{rng.integers(100)}"
                for n in names
                if n not in GRADED and rng.random() < 0.6
            },
        )
        if rng.random() < 0.3:
            text = tests_answers.reformat(text)
        texts.append(text)
    return texts


def course_notebooks(count: int, seed: int = 0) -> dict[str, dict]:
    """``student -> nbformat-4 notebook`` of ``count`` generated submissions of exercise 3."""
    import jupytext
    from nbformat.v4 import new_code_cell

    sys.path.insert(0, str(ROOT))
    from tests.grading import answers as tests_answers

    rng = np.random.default_rng(seed)
    exercise = jupytext.read(ROOT / "exercises" / f"{COURSE}.md")
    template = jupytext.writes(exercise, fmt="ipynb")
    stub = re.compile(r"^([ \t]*)(raise NotImplementedError\(.*\)|\.\.\.)$", re.M)
    notebooks: dict[str, dict] = {}
    for number in range(count):
        student = f"s{number:05d}"
        if number % 50 == 49:  # one in fifty: a disguised copy of an earlier student
            source = notebooks[f"s{int(rng.integers(number)):05d}"]
            copy = json.loads(json.dumps(source))
            for cell in copy["cells"]:
                if cell["cell_type"] == "code":
                    text = tests_answers.recomment(cell["source"], "checked")
                    cell["source"] = tests_answers.rename(text, {"x_small": "xs", "i": "j"})
            notebooks[student] = copy
            continue
        texts = iter(_student_answers(rng, tests_answers))

        def fill(match, texts=texts):
            answer = next(texts)
            if answer is None:
                return match.group(0)
            indent = match.group(1)
            return "".join(
                f"{indent}{line}" if line.strip() else line for line in answer.splitlines(True)
            ).rstrip("\n")

        notebook = json.loads(template)
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                cell["source"] = stub.sub(fill, "".join(cell["source"]))
        for _ in range(int(rng.integers(1, 4))):
            notebook["cells"].append(new_code_cell(_exploration(rng)))
        notebooks[student] = notebook
    return notebooks


def write_course(folder: Path, notebooks: dict[str, dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for student, notebook in notebooks.items():
        (folder / f"{student}.ipynb").write_text(json.dumps(notebook))


def _instructor_files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name != "report.html"
        and not p.relative_to(out).parts[0].startswith(".")
        and not p.name.startswith(".")
    }


def _slurm_tasks(folder: Path) -> list[dict]:
    """Each array task's elapsed seconds (Slurm's start and end) and its submissions' seconds."""
    tasks = []
    for log in sorted(folder.glob("grade-*_*.log")):
        job = log.stem.removeprefix("grade-")
        shown = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True)
        times = dict(re.findall(r"(StartTime|EndTime)=(\S+)", shown.stdout))
        if len(times) < 2:
            continue
        start, end = (
            time.mktime(time.strptime(times[k], "%Y-%m-%dT%H:%M:%S"))
            for k in ("StartTime", "EndTime")
        )
        tasks.append({"job": job, "elapsed": end - start})
    return tasks


def bench_course(count: int, slots: int, scan_sizes: list[int]) -> None:
    from seqcourse.grading import analytics, similarity, slurm
    from seqcourse.grading.notebook import code_cells

    sys.path.insert(0, str(ROOT))
    from tests.grading.slurm_cluster import single_node_slurm

    assignment = registry.get_assignment(COURSE)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"isolation: {sandbox.isolation()}; load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-course-") as directory:
        root = Path(directory)
        started = time.perf_counter()
        notebooks = course_notebooks(count)
        write_course(root / "subs", notebooks)
        print(f"generated {count} submissions in {time.perf_counter() - started:.1f} s")
        found = batch.find_submissions(root / "subs")

        started = time.perf_counter()
        batch.grade_batch(found, assignment, root / "local", jobs=slots, progress=False)
        local = time.perf_counter() - started
        seconds = [
            json.loads((root / "local" / s / ".runtime.json").read_text())["seconds"] for s in found
        ]
        table = (root / "local" / "grades.csv").read_text().splitlines()[1:]
        full = sum(float(r.split(",")[-3]) == assignment.max_total for r in table)
        print(
            f"local --jobs {slots}: {local:.1f} s wall, {count / local * 60:.0f} submissions/min, "
            f"median {np.median(seconds):.2f} s per submission; {full}/{count} full marks"
        )

        shards = slurm.default_shards(count)
        with single_node_slurm(root / "slurm", cpus=slots):
            started = time.perf_counter()
            code = slurm.submit_folder(
                root / "subs", COURSE, root / "slurm-out", shards=shards, tasks=slots, wait=True
            )
            wall = time.perf_counter() - started
            tasks = _slurm_tasks(root / "slurm-out" / ".slurm")
        same = _instructor_files(root / "slurm-out") == _instructor_files(root / "local")
        per_task = {}
        for record in (root / "slurm-out" / ".shards").glob("*-of-*.json"):
            info = json.loads(record.read_text())
            per_task[info["shard"]] = sum(
                json.loads((root / "slurm-out" / s / ".runtime.json").read_text())["seconds"]
                for s in info["students"]
            )
        elapsed = [t["elapsed"] for t in tasks]
        graded = sum(per_task.values())
        print(
            f"slurm, {shards} array tasks, {slots} slots: {wall:.1f} s wall (merge included, exit "
            f"{code}); files identical to the local run: {same}; task elapsed median "
            f"{np.median(elapsed):.1f} s (Slurm's StartTime/EndTime, 1 s resolution); "
            f"overhead per task {(sum(elapsed) - graded) / max(len(elapsed), 1):.1f} s "
            f"(elapsed minus its submissions' grading seconds)"
        )

        out = root / "local"
        started = time.perf_counter()
        analytics.write_report(out, assignment, found)
        report = time.perf_counter() - started
        cells = {s: code_cells(p) for s, p in found.items()}
        template = similarity.template_cells(COURSE)
        started = time.perf_counter()
        pairs, stats = similarity.scan(cells, template)
        scan = time.perf_counter() - started
        copies = _copies(notebooks)
        caught = {s for s in copies if any(s in (p.a, p.b) for p in pairs)}
        print(
            f"report on {count}: {report:.1f} s (of which the similarity scan {scan:.1f} s); "
            f"{len(pairs)} pairs flagged, {len(caught)} of {len(copies)} planted copies; {stats}"
        )

    print()
    scan_growth(scan_sizes)


def _copies(notebooks: dict[str, dict]) -> set[str]:
    """The generated students whose notebook is a disguised copy (their "# checked" comments)."""
    return {
        student
        for student, notebook in notebooks.items()
        if any("# checked" in "".join(c["source"]) for c in notebook["cells"])
    }


def scan_growth(sizes: list[int]) -> None:
    """The similarity scan alone on generated notebooks of each size: wall and CPU seconds."""
    from seqcourse.grading import similarity
    from seqcourse.grading.notebook import code_cells

    template = similarity.template_cells(COURSE)
    print(f"load average at start: {os.getloadavg()}")
    print(
        "| notebooks | scan wall (s) | scan CPU (s) | fingerprints | common | candidate pairs "
        "| flagged | planted copies flagged |"
    )
    print("|---|---|---|---|---|---|---|---|")
    cpu = []
    for size in sizes:
        generated = course_notebooks(size, seed=1)
        with tempfile.TemporaryDirectory() as directory:
            write_course(Path(directory), generated)
            cells = {p.stem: code_cells(p) for p in Path(directory).glob("*.ipynb")}
        similarity.cell_fingerprints.cache_clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        pairs, stats = similarity.scan(cells, template)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - started_cpu
        cpu.append(cpu_seconds)
        copies = _copies(generated)
        caught = {s for s in copies if any(s in (p.a, p.b) for p in pairs)}
        print(
            f"| {size} | {seconds:.1f} | {cpu_seconds:.1f} | {stats['fingerprints']} | "
            f"{stats['common']} | {stats['candidate_pairs']} | {len(pairs)} | "
            f"{len(caught)}/{len(copies)} |"
        )
    slope = np.polyfit(np.log(sizes), np.log(cpu), 1)[0]
    print(f"growth: CPU time ~ n^{slope:.2f} from {sizes[0]} to {sizes[-1]} notebooks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numpy", type=int, default=16, help="NumPy-only submissions")
    parser.add_argument("--keras", type=int, default=4, help="Keras-model submissions")
    parser.add_argument("--full", action="store_true", help="full (not fast) training budgets")
    parser.add_argument("--course", type=int, default=0, help="generated exercise-3 submissions")
    parser.add_argument("--slots", type=int, default=2, help="--course: jobs / Slurm task slots")
    parser.add_argument(
        "--scan", type=int, nargs="+", default=None, help="only the similarity scan, these sizes"
    )
    args = parser.parse_args()
    if args.scan:
        scan_growth(args.scan)
        return
    if args.course:
        sizes = [args.course // 4, args.course // 2, args.course, 2 * args.course, 4 * args.course]
        bench_course(args.course, args.slots, sizes)
        return
    fast = not args.full
    workloads = [
        (
            "NumPy-only (02, 5 questions)",
            _numpy_only("02_rnn_from_scratch"),
            ROOT / "solutions" / "02_rnn_from_scratch.md",
            args.numpy,
        ),
        (
            "Keras model (01, 3 NumPy + 1 model)",
            registry.get_assignment("01_sequence_data"),
            ROOT / "solutions" / "01_sequence_data.md",
            args.keras,
        ),
    ]
    # Warm-up: the parent's one-off costs (cases, references, the dataset copy for the sandbox).
    _bench(workloads[0][1], workloads[0][2], 1, 1, fast)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"isolation: {sandbox.isolation()}; training budgets: {'fast' if fast else 'full'}")
    print()
    print(
        "| workload | jobs | submissions | wall (s) | submissions/min | median per submission (s) |"
    )
    print("|---|---|---|---|---|---|")
    for label, assignment, source, copies in workloads:
        for jobs in (1, 2):
            row = _bench(assignment, source, copies, jobs, fast)
            print(
                f"| {label} | {jobs} | {copies} ({row['full_marks']} full marks) | "
                f"{row['seconds']:.1f} | {row['per_minute']:.1f} | {row['median_submission']:.2f} |"
            )


if __name__ == "__main__":
    main()
