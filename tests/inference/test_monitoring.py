"""seqcourse.inference.monitoring: OOV shares, PSI and the KS statistic against their definitions,
the drift monitor's verdicts on same-distribution and shifted samples, and selective accuracy."""

import numpy as np
import pytest

from seqcourse.inference.monitoring import (
    DriftMonitor,
    ks_critical_value,
    ks_statistic,
    oov_fractions,
    population_stability_index,
    quantile_edges,
    selective_accuracy,
)


def test_oov_fractions_count_unknown_ids_among_real_tokens():
    ids = np.array([[5, 1, 7, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_allclose(oov_fractions(ids), [1 / 3, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        oov_fractions([1, 2, 3])


def test_psi_matches_the_formula_on_hand_made_bins():
    reference = np.repeat([0.0, 1.0, 2.0, 3.0], 25)  # quartile edges 1, 2, 3
    np.testing.assert_array_equal(quantile_edges(reference, bins=4), [1.0, 2.0, 3.0])
    current = np.repeat([0.0, 1.0, 2.0, 3.0], [10, 20, 30, 40])
    r = np.full(4, 0.25)
    c = np.array([0.1, 0.2, 0.3, 0.4])
    expected = np.sum((c - r) * np.log(c / r))
    assert population_stability_index(reference, current, bins=4) == pytest.approx(expected)
    assert population_stability_index(reference, reference, bins=4) == 0.0


def test_psi_is_small_for_one_distribution_and_large_for_a_shifted_one():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=5000)
    same = population_stability_index(reference, rng.normal(size=2000))
    shifted = population_stability_index(reference, rng.normal(loc=1.0, size=2000))
    assert same < 0.02 and shifted > 0.5


def test_ks_statistic_equals_the_brute_force_definition():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 20, 60), rng.integers(3, 25, 45)  # ties included
    grid = np.union1d(a, b)
    brute = max(abs((a <= x).mean() - (b <= x).mean()) for x in grid)
    assert ks_statistic(a, b) == pytest.approx(brute)
    assert ks_statistic(a, a) == 0.0
    assert ks_statistic([0, 1], [5, 6]) == 1.0


def test_ks_critical_value_holds_its_level_on_one_distribution():
    assert ks_critical_value(100, 100, alpha=0.05) == pytest.approx(1.3581 * np.sqrt(0.02), 1e-3)
    rng = np.random.default_rng(2)
    critical = ks_critical_value(200, 200, alpha=0.05)
    rejections = np.mean(
        [ks_statistic(rng.normal(size=200), rng.normal(size=200)) > critical for _ in range(300)]
    )
    assert 0.01 < rejections < 0.10  # about alpha = 0.05
    for bad in [(0, 5, 0.05), (5, 5, 1.5)]:
        with pytest.raises(ValueError):
            ks_critical_value(*bad)


def test_drift_monitor_reports_stable_features_and_flags_the_shifted_one():
    rng = np.random.default_rng(3)
    monitor = DriftMonitor(
        {"length": rng.poisson(18, 3000), "score": rng.uniform(size=3000)}, bins=10
    )
    report = monitor.check({"length": rng.poisson(30, 500), "score": rng.uniform(size=500)})
    assert report["length"]["status"] == "drift" and report["length"]["psi"] > 0.25
    assert report["length"]["ks"] > report["length"]["ks_critical"]
    assert report["score"]["status"] == "stable"
    assert report["score"]["ks"] < report["score"]["ks_critical"]
    assert [monitor.status(p) for p in (0.05, 0.1, 0.3)] == ["stable", "watch", "drift"]
    with pytest.raises(ValueError, match=r"missing \['score'\]"):
        monitor.check({"length": [1, 2]})
    with pytest.raises(ValueError, match="NaN"):
        monitor.check({"length": [1, np.nan], "score": [0.5]})
    with pytest.raises(ValueError, match="warn < alarm"):
        DriftMonitor({"x": [1, 2]}, warn=0.3, alarm=0.2)
    with pytest.raises(ValueError, match="bins"):
        DriftMonitor({"x": [1, 2]}, bins=1)


def test_selective_accuracy_answers_the_most_confident_first():
    confidence = np.array([0.9, 0.1, 0.8, 0.2, 0.7])
    correct = np.array([True, False, True, False, False])
    np.testing.assert_allclose(
        selective_accuracy(confidence, correct, [0.2, 0.4, 0.6, 1.0]), [1.0, 1.0, 2 / 3, 0.4]
    )
    with pytest.raises(ValueError, match="one entry per example"):
        selective_accuracy(confidence, correct[:3], [1.0])
    with pytest.raises(ValueError, match="coverage"):
        selective_accuracy(confidence, correct, [0.0])
