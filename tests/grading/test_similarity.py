"""The similarity scan: disguised copies of exercise 3 are flagged, independent correct answers are
not, the exercise template is not evidence, and pairs come from an index, not from all pairs."""

import itertools

import numpy as np
import pytest

from seqcourse.grading import similarity
from seqcourse.grading.notebook import code_cells
from seqcourse.grading.questions import training_rnns
from tests.grading import answers

HONEST = {"h1": (0, 1, 2), "h2": (1, 2, 0), "h3": (2, 0, 1)}


def _cells(tmp_path, name, text):
    path = tmp_path / f"{name}.md"
    path.write_text(text)
    return code_cells(path)


@pytest.fixture(scope="module")
def notebooks():
    """Three students who each wrote every answer their own way, and disguised copies of them."""
    texts = {name: answers.submission(*combo) for name, combo in HONEST.items()}
    renamed = {"states": "hh", "hidden": "H_all", "d_pred": "delta", "d_next": "nxt"}
    renamed |= {"global_norm": "gn", "scale": "k", "best": "top", "gains": "g"}
    texts["copy_renamed"] = answers.recomment(answers.rename(texts["h1"], renamed), "my own")
    texts["copy_reformatted"] = answers.reformat(
        answers.rename(texts["h2"], {"hs": "states", "grads": "g_", "carry": "back"})
    )
    # Statements reordered where the order does not matter, and a line of its own added.
    first, second = "gc = np.sum(g, axis=(0, 1))\n", "gz = np.empty_like(h[1:])\n"
    mine = "assert gc.shape == c.shape\n"
    reordered = texts["h3"].replace(f"{first}    {second}", f"{second}    {first}    {mine}")
    assert reordered != texts["h3"]
    texts["copy_reordered"] = answers.recomment(reordered, "reordered")
    texts["blank"] = answers.ROOT.joinpath("exercises", "03_training_rnns.md").read_text()
    texts["blank2"] = texts["blank"].replace("import numpy as np", "import numpy as np  # ok")
    return texts


def test_the_honest_answers_are_correct_and_different(notebooks, tmp_path):
    rng = np.random.default_rng(7)
    case = training_rnns._bptt_case(rng, 2, 5, 3, 4, 2).args
    grads = [rng.normal(size=(3, 2)) * 3, rng.normal(size=4)]
    for name in HONEST:
        namespace = {"np": np}
        for cell in _cells(tmp_path, name, notebooks[name]):
            if "def " in cell and "loss(" not in cell or "largest_gain =" in cell:
                exec(cell, namespace)
        got = namespace["many_to_many_gradients"](*case)
        want = training_rnns.many_to_many_gradients(*case)
        assert all(np.allclose(g, w, rtol=1e-9, atol=1e-12) for g, w in zip(got, want, strict=True))
        for limit in (0.5, 100.0):
            clipped = namespace["clip_by_global_norm"](grads, limit)
            expected = training_rnns.clip_by_global_norm(grads, limit)
            assert all(np.allclose(g, w) for g, w in zip(clipped, expected, strict=True))
        assert np.isclose(namespace["largest_gain"], training_rnns.largest_power_norm())
    # No two share an implementation of any question.
    for (a, x), (b, y) in itertools.combinations(HONEST.items(), 2):
        assert all(i != j for i, j in zip(x, y, strict=True)), (a, b)


def test_disguised_copies_are_flagged_and_independent_answers_are_not(notebooks, tmp_path):
    cells = {name: _cells(tmp_path, name, text) for name, text in notebooks.items()}
    pairs, stats = similarity.scan(cells, similarity.template_cells("03_training_rnns"))
    flagged = {frozenset((p.a, p.b)): p for p in pairs}
    assert set(flagged) == {
        frozenset(("h1", "copy_renamed")),
        frozenset(("h2", "copy_reformatted")),
        frozenset(("h3", "copy_reordered")),
    }
    assert all(p.score > 0.8 for p in pairs)
    # The side-by-side view marks the copied answer, in the cell that holds it, on both sides.
    pair = flagged[frozenset(("h1", "copy_renamed"))]
    a_cells, b_cells = cells[pair.a], cells[pair.b]
    for mine, lines in [(a_cells, pair.lines_a), (b_cells, pair.lines_b)]:
        marked = [mine[c].splitlines()[n - 1] for c, ns in lines.items() for n in ns]
        assert any("np.tanh" in line for line in marked)
        assert not any("check(" in line for line in marked)  # the template is not evidence
    assert stats["submissions"] == len(cells) and stats["common"] == 0


def test_the_template_is_the_shared_base(notebooks, tmp_path):
    blanks = {n: _cells(tmp_path, n, notebooks[n]) for n in ("blank", "blank2")}
    template = similarity.template_cells("03_training_rnns")
    assert template and similarity.scan(blanks, template)[0] == []
    # Without the exercise as the base, two untouched exercises look like copies of each other.
    assert len(similarity.scan(blanks, None)[0]) == 1


def test_normalisation_ignores_names_comments_layout_and_literals():
    one = 'def f(a, b):\n    """Doc."""\n    # sum\n    return np.sum(a * 2.0, axis=0) + b  # ok\n'
    two = "def total(x,\n          y,):\n    return np.sum(x * 3,\n                  axis=1) + y\n"
    assert [t for t, _ in similarity.normalise(one)] == [t for t, _ in similarity.normalise(two)]
    other = "def f(a, b):\n    return np.mean(a * 2.0, axis=0) - b\n"
    assert [t for t, _ in similarity.normalise(one)] != [t for t, _ in similarity.normalise(other)]
    # Code that does not tokenize (an unclosed bracket) is read up to the error.
    assert similarity.normalise("x = (1,\n") == [("V", 1), ("=", 1), ("(", 1), ("N", 1), (",", 1)]


def test_winnowing_sees_every_shared_run_of_w_plus_k_minus_1_tokens():
    rng = np.random.default_rng(0)
    vocabulary = np.array(["V", "N", "(", ")", "+", "@", "tanh", "=", ";"])
    for _ in range(30):
        shared = list(rng.choice(vocabulary, similarity.W + similarity.K - 1))
        a = list(rng.choice(vocabulary, 40)) + shared + list(rng.choice(vocabulary, 25))
        b = list(rng.choice(vocabulary, 7)) + shared
        picked = []
        for tokens in (a, b):
            hashes = similarity.kgram_hashes(tokens)
            picked.append({int(hashes[i]) for i in similarity.winnow(hashes)})
        assert picked[0] & picked[1]


def test_pairs_come_from_the_index_not_from_all_pairs():
    rng = np.random.default_rng(1)
    vocabulary = np.array(["V", "N", "(", ")", "+", "@", "tanh", "=", ";", "return", "for"])
    prints = []
    idiom = "V = V . tanh ( V @ V + V @ V + V ) ;"  # the line everyone writes
    for i in range(120):
        own = " ".join(rng.choice(vocabulary, 300))
        tokens = (own + " " + idiom).split()
        hashes = similarity.kgram_hashes(tokens)
        where = {int(hashes[j]): [(0, 1, 1)] for j in similarity.winnow(hashes)}
        prints.append(similarity.Fingerprints(f"s{i:03d}", [own], where))
    pairs, stats = similarity.similar_pairs(prints)
    assert pairs == []
    assert stats["common"] >= 1  # the idiom: held by all 120, more than MAX_SHARE
    assert stats["candidate_pairs"] < 120 * 119 / 2 / 4  # only pairs sharing a rare fingerprint
