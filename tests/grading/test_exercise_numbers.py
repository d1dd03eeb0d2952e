"""The baseline values an exercise's text quotes are the grader's: each number below, as the
solution (and so the exercise) prints it, is the value the grader computes in full mode, rounded
to the digits quoted. A change of data or baseline that moves one makes this test name the text to
update."""

import re
from pathlib import Path

import pytest

from seqcourse.grading import registry
from seqcourse.grading.runner import baseline_scores, strictest_mark
from seqcourse.grading.spec import ModelQuestion

ROOT = Path(__file__).resolve().parents[2]
NEEDED = "the pass mark"
PERCENT = " %"  # a quoted number followed by this is a percentage of an accuracy

# 02 and 08 forecast a day ahead on the same windows (seqcourse.grading.questions._series)
DAY_AHEAD = [
    (
        "an MAE of about 0.29 in standardised units",
        "0.29",
        "the same half-hour today (daily seasonal naive)",
    ),
    ("on the last day (about 0.33)", "0.33", "least squares on the last day"),
]

# (assignment, the phrase the text holds, the number in it, the baseline it quotes or NEEDED)
QUOTED = [
    ("01_sequence_data", "an MAE of about 0.113", "0.113", "persistence"),
    ("01_sequence_data", "a day earlier, about 0.29)", "0.29", "daily seasonal naive"),
    ("01_sequence_data", "on the window (about 0.040)", "0.040", "least squares on the last day"),
    *(("02_rnn_from_scratch", *quote) for quote in DAY_AHEAD),
    ("04_lstm", "the training mean (about 0.165)", "0.165", "the training mean"),
    ("05_gru", "the training mean, about 0.167", "0.167", "the training mean"),
    ("06_deep_bidirectional", "(0.964 and 0.967:", "0.964", "each word's most frequent tag"),
    (
        "06_deep_bidirectional",
        "(0.964 and 0.967:",
        "0.967",
        "most frequent tag after the two previous words",
    ),
    ("06_deep_bidirectional", "the better one's (about 0.987)", "0.987", NEEDED),
    ("07_regularisation", "(persistence, 0.159)", "0.159", "persistence"),
    ("07_regularisation", "on the window (0.147)", "0.147", "least squares on the window"),
    *(("08_forecasting", *quote) for quote in DAY_AHEAD),
    ("10_language_models", "character (about 14 %)", "14 %", "the most frequent character"),
    ("10_language_models", "a bigram model (about 27 %)", "27 %", "bigram model"),
    ("10_language_models", "(about 38 % right)", "38 %", NEEDED),
    ("10_language_models", "A trigram model (about 37 %)", "37 %", "trigram model"),
    ("14_speech_signals", "order ignored, about 92 %)", "92 %", "nearest mean frame"),
]


def _grader_values(name: str) -> dict[str, float]:
    """The model question's baselines and pass mark as the grader computes them in full mode."""
    question = next(
        q for q in registry.get_assignment(name).questions if isinstance(q, ModelQuestion)
    )
    scores = baseline_scores(question, question.data(False), False)
    values = {baseline: value for baseline, value, _ in scores}
    values[NEEDED] = strictest_mark(question, scores)[0]
    return values


@pytest.mark.parametrize("name", sorted({row[0] for row in QUOTED}))
def test_quoted_baselines_are_the_graders(name):
    text = " ".join((ROOT / "solutions" / f"{name}.md").read_text().split())
    exercise = " ".join((ROOT / "exercises" / f"{name}.md").read_text().split())
    values = _grader_values(name)
    for _, phrase, number, source in (row for row in QUOTED if row[0] == name):
        assert phrase in text and phrase in exercise, f"{name}: the text no longer says {phrase!r}"
        assert number in phrase, (phrase, number)
        digits = re.fullmatch(r"(\d+)(?:\.(\d+))?( %)?", number)
        assert digits, number
        quoted = float(number.removesuffix(PERCENT))
        value = values[source] * (100 if number.endswith(PERCENT) else 1)
        decimals = len(digits.group(2) or "")
        assert round(value, decimals) == pytest.approx(quoted), (
            f"{name}: the text says {phrase!r}, the grader computes {value:.4g} for {source!r}: "
            "update the solution's text and run `make exercises`"
        )
