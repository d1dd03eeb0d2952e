"""The ``seqcourse`` command line: ``data``, ``assign``, ``run``, ``grade``, ``merge``, LMS exports.

The only module that parses arguments, and the top of the package: nothing imports it. Each
subcommand imports its module only when it runs, so ``seqcourse --help`` is instant, and passes it
plain values. A :class:`~seqcourse.errors.SeqcourseError` is printed as one line, without a
traceback, with exit status 2.
"""

import argparse
import sys
from pathlib import Path

from seqcourse.errors import SeqcourseError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seqcourse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="list, fetch and verify the course datasets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    data_sub.add_parser("list", help="print the dataset registry and what is present")
    fetch = data_sub.add_parser("fetch", help="download and verify every dataset (once)")
    fetch.add_argument("names", nargs="*", help="datasets to fetch (default: all)")
    data_sub.add_parser("verify", help="check every cached file against its sha256")

    assign = sub.add_parser("assign", help="write exercises/ from solutions/")
    assign.add_argument("--check", action="store_true", help="exit 1 if exercises/ is out of date")
    assign.add_argument("--solutions", default="solutions")
    assign.add_argument("--exercises", default="exercises")

    run = sub.add_parser("run", help="execute one course notebook (a chapter or a solution)")
    run.add_argument("notebook", type=Path, help="a .md or .ipynb notebook, e.g. book/02_*.md")
    run.add_argument("--fast", action="store_true", help="run at test scale (FAST = True)")
    run.add_argument("--output", type=Path, default=None, help="default _build/executed/NAME.ipynb")

    grade = sub.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("submissions", help="a folder of .ipynb/.md files, or one file")
    grade.add_argument("--assignment", required=True, help="e.g. 02_rnn_from_scratch")
    grade.add_argument("--out", required=True, help="output folder for grades and feedback")
    grade.add_argument("--jobs", type=int, default=1)
    grade.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds per submission (default: the assignment's)",
    )
    grade.add_argument(
        "--memory",
        type=int,
        default=None,
        # The default lives in one place, seqcourse.grading.sandbox.Limits; not imported here, so
        # building the parser stays free of the grader.
        help="memory cap per submission in MB (default: the sandbox's, Limits.memory_mb)",
    )
    grade.add_argument("--force", action="store_true", help="regrade submissions already graded")
    grade.add_argument(
        "--no-report", action="store_true", help="do not write OUT/report.html at the end"
    )
    where = grade.add_mutually_exclusive_group()
    where.add_argument(
        "--shard",
        default=None,
        metavar="I/N",
        help="grade only shard I of N (0 <= I < N; by sorted student id) into the shared --out; "
        "`seqcourse merge` writes grades.csv once every shard has ended",
    )
    where.add_argument(
        "--slurm",
        action="store_true",
        help="submit a Slurm job array over the shards and a merge job that waits for it",
    )
    grade.add_argument(
        "--shards", type=int, default=None, help="--slurm: number of shards (array tasks)"
    )
    grade.add_argument(
        "--slurm-tasks",
        type=int,
        default=None,
        metavar="K",
        help="--slurm: at most K array tasks at once (sbatch --array=...%%K)",
    )
    grade.add_argument(
        "--slurm-option",
        action="append",
        default=[],
        metavar="OPTION",
        help="--slurm: pass OPTION to both sbatch calls, e.g. --slurm-option=--partition=short",
    )
    grade.add_argument(
        "--wait", action="store_true", help="--slurm: return when the merge job has ended"
    )

    merge = sub.add_parser("merge", help="write grades.csv once every --shard has ended")
    merge.add_argument("submissions", help="the folder the shards graded")
    merge.add_argument("--assignment", required=True)
    merge.add_argument("--out", required=True, help="the --out folder the shards wrote into")
    merge.add_argument(
        "--shards", type=int, default=None, help="N of the shards (default: from their records)"
    )
    merge.add_argument("--no-report", action="store_true", help="do not write OUT/report.html")

    report = sub.add_parser("report", help="write OUT/report.html for a graded --out folder")
    report.add_argument("submissions", help="the folder that was graded")
    report.add_argument("--assignment", required=True)
    report.add_argument("--out", required=True, help="the graded --out folder")
    report.add_argument(
        "--template",
        type=Path,
        default=None,
        help="the exercise notebook students started from (default: exercises/ASSIGNMENT.md)",
    )

    export = sub.add_parser("export", help="write a graded --out folder as an LMS gradebook")
    export.add_argument("out", help="the --out folder of `seqcourse grade`")
    export.add_argument(
        "--roster", required=True, help="CSV: a 'student' column (file stems) and LMS ids"
    )
    export.add_argument("--format", required=True, choices=("canvas", "moodle", "generic"))
    export.add_argument("--output", type=Path, default=None, help="default OUT/grades-FORMAT.csv")
    export.add_argument(
        "--missing",
        choices=("blank", "zero"),
        default="blank",
        help="grade of a roster student without a submission (default: blank)",
    )

    gradescope = sub.add_parser("gradescope", help="build a Gradescope autograder zip")
    gradescope.add_argument("assignment", help="e.g. 03_training_rnns")
    gradescope.add_argument(
        "--out", type=Path, default=None, help="default ASSIGNMENT-autograder.zip"
    )

    autograde = sub.add_parser("autograde", help="grade AUTOGRADER_ROOT/submission (Gradescope)")
    autograde.add_argument("--assignment", required=True)
    autograde.add_argument("--root", type=Path, default=None, help="default $AUTOGRADER_ROOT")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "data":
            from seqcourse.data import commands

            if args.data_command == "list":
                return commands.list_datasets()
            if args.data_command == "fetch":
                return commands.fetch(list(args.names))
            return commands.verify()
        if args.command == "assign":
            from seqcourse.grading import assign

            return assign.write_exercises(
                Path(args.solutions), Path(args.exercises), check=args.check
            )
        if args.command == "run":
            from seqcourse.notebooks import execute_notebook

            output = args.output or Path("_build/executed") / f"{args.notebook.stem}.ipynb"
            execute_notebook(args.notebook, output, fast=args.fast)
            print(f"executed {args.notebook} -> {output}")
            return 0
        if args.command == "grade":
            common = {
                "jobs": args.jobs,
                "timeout": args.timeout,
                "memory_mb": args.memory,
                "force": args.force,
            }
            where = (Path(args.submissions), args.assignment, Path(args.out))
            if args.slurm:
                from seqcourse.grading import slurm

                return slurm.submit_folder(
                    *where,
                    shards=args.shards,
                    tasks=args.slurm_tasks,
                    options=args.slurm_option,
                    wait=args.wait,
                    **common,
                )
            slurm_only = {
                "--shards": args.shards,
                "--slurm-tasks": args.slurm_tasks,
                "--slurm-option": args.slurm_option or None,
                "--wait": args.wait or None,
            }
            given = [flag for flag, value in slurm_only.items() if value is not None]
            if given:
                raise SeqcourseError(f"{', '.join(given)} only apply with --slurm")
            if args.shard is not None:
                from seqcourse.grading import shards

                return shards.grade_shard_folder(*where, args.shard, **common)
            from seqcourse.grading import batch

            return batch.grade_folder(*where, report=not args.no_report, **common)
        if args.command == "merge":
            from seqcourse.grading import shards

            return shards.merge(
                Path(args.submissions),
                args.assignment,
                Path(args.out),
                shards=args.shards,
                report=not args.no_report,
            )
        if args.command == "report":
            from seqcourse.grading import batch

            return batch.report_folder(
                Path(args.submissions), args.assignment, Path(args.out), args.template
            )
        if args.command == "export":
            from seqcourse.grading import lms

            return lms.export_command(
                Path(args.out), Path(args.roster), args.format, args.output, args.missing
            )
        if args.command == "gradescope":
            from seqcourse.grading import gradescope

            output = args.out or Path(f"{args.assignment}-autograder.zip")
            gradescope.build_autograder(args.assignment, output)
            print(f"wrote {output}: upload it as the assignment's autograder on Gradescope")
            return 0
        if args.command == "autograde":
            import os

            from seqcourse.grading import gradescope

            root = args.root or Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
            return gradescope.run(root, args.assignment)
    except SeqcourseError as error:
        print(f"seqcourse {args.command}: {error}", file=sys.stderr)
        return 2
    raise AssertionError(f"unhandled command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
