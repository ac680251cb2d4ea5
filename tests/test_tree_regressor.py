"""rapidriver.tree.HoeffdingTreeRegressor against river's, and its own guarantees."""

from __future__ import annotations

import itertools
import math
import pickle
import random

import numpy as np
import pytest
from river import checks, datasets, linear_model, optim
from river import tree as river_tree
from river.datasets import synth
from river.tree.splitter import EBSTSplitter, TEBSTSplitter

from rapidriver import tree

STREAMS = {
    "Friedman": lambda: synth.Friedman(seed=42),
    "FriedmanDrift": lambda: synth.FriedmanDrift(drift_type="gra", position=(2000, 4000), seed=42),
    "Planes2D": lambda: synth.Planes2D(seed=42),
}

PARAMS = [
    {"leaf_prediction": "mean"},
    {"leaf_prediction": "model"},
    {},
    {"grace_period": 100, "splitter": EBSTSplitter(), "remove_poor_attrs": True},
    {"grace_period": 50, "splitter": TEBSTSplitter(digits=2), "merit_preprune": False},
    {"leaf_model": linear_model.LinearRegression(optimizer=optim.SGD(0.005), l2=0.01)},
]


def named(stream):
    """Features named "x0", "x1", ...: river never disables a feature whose name is falsy (such
    as 0) under `remove_poor_attrs`, a quirk we do not copy."""
    for x, y in stream:
        yield {f"x{k}": v for k, v in x.items()}, y


def run(model, stream, n):
    preds = []
    for x, y in itertools.islice(named(stream), n):
        preds.append(model.predict_one(x))
        model.learn_one(x, y)
    return preds


def fresh(params):
    """A copy of the parameters with fresh splitter/model objects, one per tree."""
    out = dict(params)
    for key in ("splitter", "leaf_model"):
        if key in out:
            out[key] = out[key].clone()
    return out


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize("name", list(STREAMS))
def test_same_predictions_and_splits_as_river(name, params):
    theirs = river_tree.HoeffdingTreeRegressor(**fresh(params))
    ours = tree.HoeffdingTreeRegressor(**fresh(params))
    preds_theirs = run(theirs, STREAMS[name](), 5000)
    preds_ours = run(ours, STREAMS[name](), 5000)
    np.testing.assert_allclose(preds_ours, preds_theirs, rtol=1e-9, atol=1e-9)
    assert ours.summary == theirs.summary
    assert theirs.n_nodes > 1
    for x, _ in named(synth.Friedman(seed=7).take(50)) if name != "Planes2D" else []:
        assert ours.debug_one(x) == theirs.debug_one(x)


def nominal_stream(n, seed):
    """A nominal feature that matters, a numeric one that matters less, values seen late."""
    rng = random.Random(seed)
    effect = {"a": 0.0, "b": 5.0, "c": -3.0, "d": 8.0}
    for i in range(n):
        cats = "abc" if i < 1500 else "abcd"
        c = rng.choice(cats)
        v = rng.uniform(0, 1)
        yield {"cat": c, "num": v}, effect[c] + 2.0 * v + rng.gauss(0, 0.3)


@pytest.mark.parametrize("binary_split", [False, True])
def test_nominal_features_split_as_river(binary_split):
    params = {"grace_period": 100, "leaf_prediction": "mean", "binary_split": binary_split}
    theirs = river_tree.HoeffdingTreeRegressor(**params)
    ours = tree.HoeffdingTreeRegressor(**params)
    preds_theirs = run(theirs, nominal_stream(4000, 0), 4000)
    preds_ours = run(ours, nominal_stream(4000, 0), 4000)
    np.testing.assert_allclose(preds_ours, preds_theirs, rtol=1e-12, atol=1e-12)
    assert ours.summary == theirs.summary
    assert ours.n_nodes >= 3


@pytest.mark.parametrize("params", list(tree.HoeffdingTreeRegressor._unit_test_params()))
def test_river_check_estimator(params):
    checks.check_estimator(tree.HoeffdingTreeRegressor(**params))


def test_learns_a_piecewise_function_well():
    model = tree.HoeffdingTreeRegressor(grace_period=50, leaf_prediction="mean")
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(6000, 2))
    y = np.where(X[:, 0] > 0, 10.0, -10.0) + rng.normal(0, 0.1, 6000)
    model.learn_many_np(X, y)
    pred = model.predict_many_np(np.array([[0.5, 0.0], [-0.5, 0.0]]))
    assert pred == pytest.approx([10.0, -10.0], abs=0.2)


def test_numpy_path_builds_the_dict_path_model():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 3))
    y = 3 * X[:, 0] - X[:, 1] ** 2 + rng.normal(0, 0.1, 3000)
    by_rows = tree.HoeffdingTreeRegressor(grace_period=100)
    for row, target in zip(X.tolist(), y.tolist(), strict=True):
        by_rows.learn_one(dict(enumerate(row)), target)
    by_array = tree.HoeffdingTreeRegressor(grace_period=100)
    by_array.learn_many_np(X, y)
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)
    assert by_array.n_nodes > 1
    X_test = rng.normal(size=(100, 3))
    expected = [by_rows.predict_one(dict(enumerate(r))) for r in X_test.tolist()]
    np.testing.assert_array_equal(by_array.predict_many_np(X_test), expected)


def test_pickle_restores_the_same_model():
    model = tree.HoeffdingTreeRegressor(grace_period=50)
    stream = list(synth.Friedman(seed=3).take(3000))
    for x, y in stream[:1500]:
        model.learn_one(x, y)
    blob = pickle.dumps(model)
    restored = pickle.loads(blob)
    assert pickle.dumps(restored) == blob
    for x, y in stream[1500:]:
        assert restored.predict_one(x) == model.predict_one(x)
        model.learn_one(x, y)
        restored.learn_one(x, y)
    assert pickle.dumps(restored) == pickle.dumps(model)


@pytest.mark.parametrize(
    "x, y, error, name",
    [
        ({"a": math.nan}, 1.0, ValueError, "a"),
        ({"a": 1.0}, math.inf, ValueError, "y"),
        ({"a": 1.0}, "high", TypeError, "y"),
        ({"a": 1.0}, None, TypeError, "y"),
        ([1.0], 1.0, TypeError, "x"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(x, y, error, name):
    model = tree.HoeffdingTreeRegressor(grace_period=20)
    for xi, yi in synth.Friedman(seed=2).take(200):
        model.learn_one({"a": xi[0], "b": xi[1]}, yi)
    before = pickle.dumps(model)
    with pytest.raises(error, match=name):
        model.learn_one(x, y)
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"grace_period": 0}, "grace_period"),
        ({"delta": 0.0}, "delta"),
        ({"leaf_prediction": "median"}, "leaf_prediction"),
        ({"model_selector_decay": 1.5}, "model_selector_decay"),
        ({"leaf_model": linear_model.PARegressor()}, "leaf_model"),
        ({"leaf_model": linear_model.LinearRegression(l1=0.1)}, "leaf_model"),
        ({"splitter": river_tree.splitter.GaussianSplitter()}, "splitter"),
        ({"max_depth": -2}, "max_depth"),
    ],
)
def test_invalid_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        tree.HoeffdingTreeRegressor(**kwargs)


def test_draw_and_debug():
    graphviz = pytest.importorskip("graphviz")
    model = tree.HoeffdingTreeRegressor(grace_period=50, leaf_prediction="mean")
    for x, y in datasets.TrumpApproval():
        model.learn_one(x, y)
    dot = model.draw()
    assert isinstance(dot, graphviz.Digraph)
    assert dot.source.count("->") == model.n_nodes - 1
    text = model.debug_one(next(iter(datasets.TrumpApproval()))[0])
    assert text.splitlines()[-1].startswith("Mean: ")
