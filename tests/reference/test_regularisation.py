"""seqcourse.reference.regularisation against Keras: dropout, L1/L2 penalties, gradient clipping
and early stopping."""

import keras
import numpy as np
import pytest

from seqcourse.reference import numerical_gradient, rel_error
from seqcourse.reference import regularisation as reg
from tests.reference.helpers import assert_close


@pytest.fixture
def grads():
    rng = np.random.default_rng(3)
    return [
        rng.normal(size=(3, 4)).astype("float32"),
        rng.normal(size=(4,)).astype("float32"),
        5 * rng.normal(size=(2, 2)).astype("float32"),
    ]


# --- dropout -------------------------------------------------------------------------------------


def test_dropout_mask_values_rate_and_mean_match_keras_dropout():
    rate = 0.3
    mask = reg.dropout_mask((400, 250), rate, np.random.default_rng(0))
    assert mask.dtype == np.float32 and mask.shape == (400, 250)
    assert set(np.unique(mask)) == {0.0, np.float32(1 / (1 - rate))}
    assert abs(np.mean(mask == 0) - rate) < 0.01  # 100,000 draws
    assert abs(mask.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation

    ones = np.ones((400, 250), dtype="float32")
    dropped = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=1)(ones, training=True))
    assert set(np.unique(dropped)) == set(np.unique(mask))  # the same two values
    assert abs(np.mean(dropped == 0) - rate) < 0.01
    assert_close(keras.layers.Dropout(rate)(ones, training=False), ones, what="inference")


def test_dropout_mask_is_reproducible_and_rate_zero_keeps_everything():
    a = reg.dropout_mask((5, 7), 0.5, np.random.default_rng(4))
    b = reg.dropout_mask((5, 7), 0.5, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(reg.dropout_mask((3,), 0.0, np.random.default_rng(0)), 1.0)


def test_keras_recurrent_dropout_reuses_one_mask_at_every_step():
    """What dropout_mask's docstring promises about Keras: one recurrent mask per sequence.

    A linear SimpleRNN with identity weights carries h_1 = x_1 forward, h_t = (h_{t-1} * m_t) I.
    With one mask m for all steps the set of surviving units never changes after step 2; with a
    fresh mask per step it would keep shrinking.
    """
    units, steps = 512, 6
    layer = keras.layers.SimpleRNN(
        units, activation="linear", recurrent_dropout=0.5, return_sequences=True, seed=7
    )
    layer.build((None, steps, units))
    eye = np.eye(units, dtype="float32")
    layer.set_weights([eye, eye, np.zeros(units, "float32")])
    x = np.zeros((1, steps, units), "float32")
    x[0, 0] = 1.0
    states = keras.ops.convert_to_numpy(layer(x, training=True))[0]  # (T, H)
    alive = states != 0
    assert 0.4 < alive[1].mean() < 0.6  # half the units dropped once
    np.testing.assert_array_equal(alive[1:], np.broadcast_to(alive[1], alive[1:].shape))


# --- weight penalties ----------------------------------------------------------------------------


@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.01), (0.003, 0.0), (0.002, 0.05)])
def test_weight_penalty_matches_keras_regularizer(grads, l1, l2):
    penalty, _ = reg.weight_penalty(grads, l1=l1, l2=l2)
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2)
    expected = sum(float(regularizer(keras.ops.convert_to_tensor(w))) for w in grads)
    assert_close(penalty, expected, what="penalty")


def test_weight_penalty_gradient_matches_centred_differences(grads):
    weights = [w.astype(np.float64) for w in grads]
    _, analytic = reg.weight_penalty(weights, l1=0.01, l2=0.2)
    for k, w in enumerate(weights):
        numeric = numerical_gradient(lambda _: reg.weight_penalty(weights, 0.01, 0.2)[0], w)
        assert rel_error(analytic[k], numeric) < 1e-7


def test_model_losses_hold_the_keras_l2_penalty_of_a_recurrent_layer():
    l2 = 0.01
    model = keras.Sequential(
        [
            keras.Input((5, 3)),
            keras.layers.GRU(
                4,
                kernel_regularizer=keras.regularizers.L2(l2),
                recurrent_regularizer=keras.regularizers.L2(l2),
            ),
        ]
    )
    kernel, recurrent_kernel, _ = model.layers[0].get_weights()
    penalty, _ = reg.weight_penalty([kernel, recurrent_kernel], l2=l2)
    assert_close(sum(float(loss) for loss in model.losses), penalty, what="model.losses")


# --- clipping ------------------------------------------------------------------------------------


def _keras_clipped(grads, **clip):
    """What a Keras optimizer applies: SGD with learning rate 1 from zero weights gives -g."""
    variables = [keras.Variable(np.zeros_like(g)) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **clip)
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], variables)
    return [-v.numpy() for v in variables]


@pytest.mark.parametrize("threshold", [0.5, 3.0, 1e3])
def test_clipping_matches_keras_optimizer_options(grads, threshold):
    clipped, norm = reg.clip_by_global_norm(grads, threshold)
    assert_close(norm, np.sqrt(sum(np.sum(g.astype(float) ** 2) for g in grads)), what="norm")
    for ours, theirs in zip(clipped, _keras_clipped(grads, global_clipnorm=threshold), strict=True):
        assert_close(ours, theirs, what="global_clipnorm")
    for ours, theirs in zip(
        reg.clip_by_norm(grads, threshold), _keras_clipped(grads, clipnorm=threshold), strict=True
    ):
        assert_close(ours, theirs, what="clipnorm")
    for ours, theirs in zip(
        reg.clip_by_value(grads, threshold), _keras_clipped(grads, clipvalue=threshold), strict=True
    ):
        assert_close(ours, theirs, what="clipvalue")


def test_global_clipping_keeps_direction_and_caps_the_norm(grads):
    clipped, norm = reg.clip_by_global_norm(grads, 1.0)
    assert norm > 1.0
    assert_close(reg.global_norm(clipped), 1.0, what="clipped norm")
    for before, after in zip(grads, clipped, strict=True):
        assert_close(after, before / norm, what="same direction")
    unchanged, _ = reg.clip_by_global_norm(grads, 2 * norm)
    for before, after in zip(grads, unchanged, strict=True):
        np.testing.assert_array_equal(before, after)


# --- early stopping ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


def _keras_early_stopping(model, val_losses, patience, min_delta=0.0):
    """Feed a loss sequence to Keras's EarlyStopping callback; return (stopped epoch, best)."""
    callback = keras.callbacks.EarlyStopping(patience=patience, min_delta=min_delta)
    callback.set_model(model)
    model.stop_training = False  # what fit() sets before the first epoch
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            return epoch, callback.best_epoch
    return None, callback.best_epoch


CURVES = [
    [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.9, 1.0],  # a minimum, then overfitting
    [1.0, 0.9, 0.8, 0.7, 0.6],  # never stops
    [0.5, 0.6, 0.7],  # worse from the start
    [1.0, 0.99, 0.985, 0.98, 0.97, 0.9],  # small steps: min_delta decides
]


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize("patience", [0, 1, 2, 3])
@pytest.mark.parametrize("min_delta", [0.0, 0.02])
def test_early_stopping_matches_the_keras_callback(tiny_model, curve, patience, min_delta):
    ours = reg.early_stopping(curve, patience, min_delta)
    assert ours == _keras_early_stopping(tiny_model, curve, patience, min_delta)


def test_early_stopping_on_a_typical_curve():
    # Two epochs (4th, 5th) without improving on the 3rd: stop after the 5th, keep the 3rd.
    assert reg.early_stopping(CURVES[0], patience=2) == (4, 2)
    assert reg.early_stopping(CURVES[1], patience=2) == (None, 4)


# --- bad input -----------------------------------------------------------------------------------


def test_bad_arguments_are_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"rate must lie in \[0, 1\)"):
        reg.dropout_mask((2, 2), 1.0, rng)
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        reg.dropout_mask((2, 2), 0.5, 0)
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        reg.weight_penalty([np.ones(2)], l2=-1.0)
    with pytest.raises(ValueError, match="grads must be a list of arrays"):
        reg.clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="clip_norm must be > 0"):
        reg.clip_by_global_norm([np.ones(3)], 0.0)
    with pytest.raises(ValueError, match="clip_value must be a number"):
        reg.clip_by_value([np.ones(3)], "1")
    with pytest.raises(ValueError, match="patience must be an int >= 0"):
        reg.early_stopping([1.0, 0.5], patience=-1)
    with pytest.raises(ValueError, match="val_losses must be a non-empty 1-D"):
        reg.early_stopping([], patience=1)


# --- L1: subgradient against proximal steps ------------------------------------------------------


def test_soft_threshold_is_the_proximal_operator_of_the_l1_norm():
    w = np.array([-1.5, -0.2, 0.0, 0.05, 0.3, 2.0])
    shrunk = reg.soft_threshold(w, 0.25)
    np.testing.assert_allclose(shrunk, [-1.25, 0.0, 0.0, 0.0, 0.05, 1.75])
    # argmin_v t|v| + (v - w)^2 / 2, by brute force on a fine grid
    grid = np.linspace(-3, 3, 60001)
    brute = [grid[np.argmin(0.25 * np.abs(grid) + (grid - wi) ** 2 / 2)] for wi in w]
    np.testing.assert_allclose(shrunk, brute, atol=1e-4)
    with pytest.raises(ValueError, match="threshold must be >= 0"):
        reg.soft_threshold(w, -0.1)


def _lasso_problem():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 12))
    true_w = np.zeros(12)
    true_w[:3] = [1.0, -0.7, 0.4]
    return x, x @ true_w + 0.3 + 0.1 * rng.normal(size=200)


def test_proximal_descent_reaches_the_lasso_optimum_with_exact_zeros():
    x, y = _lasso_problem()
    l1 = 0.05
    w, b, objectives = reg.l1_linear_regression(
        x, y, l1=l1, learning_rate=0.1, steps=2000, proximal=True
    )
    # KKT conditions of min mean(r^2) + l1 |w|_1: the data gradient is -l1 sign(w) where w != 0
    # and at most l1 in size where w == 0; the bias gradient is 0.
    residual = x @ w + b - y
    grad = 2 * x.T @ residual / len(y)
    nonzero = w != 0
    np.testing.assert_allclose(grad[nonzero], -l1 * np.sign(w[nonzero]), atol=1e-6)
    assert np.all(np.abs(grad[~nonzero]) <= l1 + 1e-9)
    assert abs(residual.mean()) < 1e-9
    assert 3 <= nonzero.sum() < 12  # exactly sparse: the irrelevant inputs are dropped
    assert objectives[-1] <= objectives[0]


def test_subgradient_descent_leaves_weights_near_zero_but_not_at_it():
    x, y = _lasso_problem()
    w_sub, _, sub_objectives = reg.l1_linear_regression(
        x, y, l1=0.05, learning_rate=0.1, steps=2000, proximal=False
    )
    w_prox, _, prox_objectives = reg.l1_linear_regression(
        x, y, l1=0.05, learning_rate=0.1, steps=2000, proximal=True
    )
    assert np.count_nonzero(w_sub == 0) == 0
    np.testing.assert_allclose(w_sub, w_prox, atol=0.02)  # the same solution, roughly
    assert prox_objectives[-1] <= sub_objectives[-1] + 1e-9
    # the subgradient step in the limit of no penalty is plain least squares
    w_ls, b_ls, _ = reg.l1_linear_regression(
        x, y, l1=0.0, learning_rate=0.1, steps=3000, proximal=False
    )
    design = np.column_stack([x, np.ones(len(x))])
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(np.append(w_ls, b_ls), exact, atol=1e-6)
    with pytest.raises(ValueError, match="x must be"):
        reg.l1_linear_regression(x[:, 0], y, l1=0.1, learning_rate=0.1, steps=1, proximal=True)
