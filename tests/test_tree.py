"""rapidriver.tree.HoeffdingTreeClassifier against river's, and its own guarantees."""

from __future__ import annotations

import itertools
import math
import pickle
import random
import sys

import numpy as np
import pandas as pd
import pytest
from river import checks, metrics
from river import tree as river_tree
from river.datasets import synth

from rapidriver import evaluate, tree

STREAMS = {
    "SEA": lambda: synth.SEA(seed=42),
    "Agrawal": lambda: synth.Agrawal(classification_function=2, seed=42),
    "LED": lambda: synth.LED(seed=42, noise_percentage=0.1, irrelevant_features=True),
    "RandomRBF": lambda: synth.RandomRBF(seed_model=7, seed_sample=7, n_classes=3, n_features=8),
    "Hyperplane": lambda: synth.Hyperplane(seed=42, n_features=8),
    "ConceptDrift": lambda: synth.ConceptDriftStream(
        stream=synth.SEA(seed=42, variant=0),
        drift_stream=synth.SEA(seed=42, variant=2),
        position=3000,
        width=500,
        seed=1,
    ),
}

PARAMS = [
    {},
    {"leaf_prediction": "mc", "split_criterion": "gini"},
    {"leaf_prediction": "nb", "grace_period": 100, "delta": 1e-5},
    {"split_criterion": "hellinger", "binary_split": True},
]


def prequential(model, stream, n):
    """Test-then-train; returns accuracy and the predictions."""
    acc, preds = metrics.Accuracy(), []
    for x, y in itertools.islice(stream, n):
        p = model.predict_one(x)
        preds.append(p)
        acc.update(y, p)
        model.learn_one(x, y)
    return acc.get(), preds


@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize("name", list(STREAMS))
def test_same_accuracy_and_splits_as_river(name, params):
    if params.get("split_criterion") == "hellinger" and name in ("LED", "RandomRBF"):
        pytest.skip("river's Hellinger criterion is for two classes")
    n = 6000
    theirs = river_tree.HoeffdingTreeClassifier(**params)
    ours = tree.HoeffdingTreeClassifier(**params)
    acc_theirs, _ = prequential(theirs, STREAMS[name](), n)
    acc_ours, _ = prequential(ours, STREAMS[name](), n)
    assert abs(acc_ours - acc_theirs) <= 0.005
    assert abs(ours.n_nodes - theirs.n_nodes) <= 2
    assert ours.summary["total_observed_weight"] == theirs.summary["total_observed_weight"]


def test_exactly_river_on_a_small_stream():
    params = {"grace_period": 50, "delta": 1e-5}
    theirs = river_tree.HoeffdingTreeClassifier(**params)
    ours = tree.HoeffdingTreeClassifier(**params)
    for x, y in synth.Agrawal(classification_function=1, seed=3).take(3000):
        p_theirs, p_ours = theirs.predict_proba_one(x), ours.predict_proba_one(x)
        assert p_ours.keys() == p_theirs.keys()
        for c in p_theirs:
            assert p_ours[c] == pytest.approx(p_theirs[c], abs=1e-9)
        assert ours.predict_one(x) == theirs.predict_one(x)
        theirs.learn_one(x, y)
        ours.learn_one(x, y)
    assert theirs.n_nodes > 1
    assert ours.summary == theirs.summary
    for x, _ in synth.Agrawal(classification_function=1, seed=4).take(200):
        assert ours.debug_one(x) == theirs.debug_one(x)
        leaf = theirs._root.traverse(x, until_leaf=True)
        votes = {c: w for c, w in ours.leaf_votes(x).items() if w > 0}
        assert votes == pytest.approx(leaf.stats)


def changing_stream(n, seed):
    """Features that appear late and go missing, nominal str features, classes seen late."""
    rng = random.Random(seed)
    for i in range(n):
        x = {"a": rng.gauss(0, 1), "colour": rng.choice(["red", "green", "blue"])}
        if i > 300 and rng.random() < 0.8:
            x["late"] = rng.uniform(-1, 1)
        if rng.random() < 0.3:
            del x["a"]
        score = x.get("a", 0.0) + (1.0 if x["colour"] == "red" else 0.0) + x.get("late", 0.0)
        y = "low" if score < 0.5 else "high"
        if i > 1000 and score > 1.5:
            y = "top"
        yield x, y


@pytest.mark.parametrize("binary_split", [False, True])
def test_changing_stream_matches_river(binary_split):
    params = {"grace_period": 40, "delta": 1e-4, "binary_split": binary_split}
    theirs = river_tree.HoeffdingTreeClassifier(**params)
    ours = tree.HoeffdingTreeClassifier(**params)
    _, preds_theirs = prequential(theirs, changing_stream(4000, 0), 4000)
    _, preds_ours = prequential(ours, changing_stream(4000, 0), 4000)
    assert preds_ours == preds_theirs
    assert ours.classes == theirs.classes == {"low", "high", "top"}
    assert ours.summary == theirs.summary
    assert ours.n_nodes > 1


def test_binary_labels_give_river_style_dicts():
    theirs, ours = river_tree.HoeffdingTreeClassifier(), tree.HoeffdingTreeClassifier()
    assert ours.predict_proba_one({"x": 1.0}) == theirs.predict_proba_one({"x": 1.0})
    assert ours.predict_one({"x": 1.0}) is None
    for x, y in synth.SEA(seed=1).take(300):
        theirs.learn_one(x, y)
        ours.learn_one(x, y)
    x = {0: 5.0, 1: 5.0, 2: 5.0}
    assert set(ours.predict_proba_one(x)) == {False, True}
    assert ours.predict_proba_one(x) == pytest.approx(theirs.predict_proba_one(x))


@pytest.mark.parametrize("params", list(tree.HoeffdingTreeClassifier._unit_test_params()))
def test_river_check_estimator(params):
    checks.check_estimator(tree.HoeffdingTreeClassifier(**params))


def test_numpy_path_builds_the_dict_path_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 4))
    y = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(np.int64) + (X[:, 1] > 1.5)
    by_rows = tree.HoeffdingTreeClassifier(grace_period=50)
    for row, label in zip(X.tolist(), y.tolist(), strict=True):
        by_rows.learn_one(dict(enumerate(row)), label)
    by_array = tree.HoeffdingTreeClassifier(grace_period=50)
    by_array.learn_many_np(X, y)
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)
    assert by_array.n_nodes > 1

    X_test = rng.normal(size=(200, 4))
    proba = by_array.predict_proba_many_np(X_test)
    classes = sorted(by_array.classes)
    for row, p in zip(X_test.tolist(), proba, strict=True):
        expected = by_rows.predict_proba_one(dict(enumerate(row)))
        assert p == pytest.approx([expected.get(c, 0.0) for c in classes], abs=1e-12)
    labels = by_array.predict_many_np(X_test)
    assert labels.tolist() == [by_rows.predict_one(dict(enumerate(r))) for r in X_test.tolist()]


def test_prequential_curve_and_final_model_match_the_dict_path():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(2500, 3))
    y = np.where(X[:, 0] + X[:, 1] > 1.0, "yes", "no")
    model = tree.HoeffdingTreeClassifier(grace_period=30)
    curve = evaluate.prequential(model, X, y)

    reference = tree.HoeffdingTreeClassifier(grace_period=30)
    correct, expected = 0, []
    for i, (row, label) in enumerate(zip(X.tolist(), y.tolist(), strict=True)):
        x = dict(enumerate(row))
        correct += reference.predict_one(x) == label
        expected.append(correct / (i + 1))
        reference.learn_one(x, label)
    np.testing.assert_allclose(curve, expected, rtol=0, atol=1e-12)
    assert pickle.dumps(model) == pickle.dumps(reference)
    assert curve[-1] > 0.9


def test_pandas_batch_api_equals_learn_one():
    X = pd.DataFrame({"a": np.linspace(-1, 1, 1000), "b": np.tile(["u", "v"], 500)})
    y = pd.Series((X["a"] > 0.2) | (X["b"] == "u"))
    batch, single = tree.HoeffdingTreeClassifier(), tree.HoeffdingTreeClassifier()
    batch.learn_many(X, y)
    for x, label in zip(X.to_dict(orient="records"), y, strict=True):
        single.learn_one(x, label)
    assert pickle.dumps(batch) == pickle.dumps(single)
    proba = batch.predict_proba_many(X.head(5))
    assert list(proba.columns) == [False, True]
    assert proba.sum(axis=1).to_numpy() == pytest.approx(np.ones(5))
    assert batch.predict_many(X.head(5)).tolist() == [
        single.predict_one(x) for x in X.head(5).to_dict(orient="records")
    ]


def test_pickle_restores_the_same_model():
    model = tree.HoeffdingTreeClassifier(grace_period=50, leaf_prediction="nba")
    stream = list(synth.Agrawal(seed=5).take(4000))
    for x, y in stream[:2000]:
        model.learn_one(x, y)
    blob = pickle.dumps(model)
    restored = pickle.loads(blob)
    assert pickle.dumps(restored) == blob
    for x, y in stream[2000:]:
        assert restored.predict_proba_one(x) == model.predict_proba_one(x)
        model.learn_one(x, y)
        restored.learn_one(x, y)
    assert pickle.dumps(restored) == pickle.dumps(model)
    clone = model.clone()
    assert clone.n_nodes is None and clone.grace_period == 50


BAD_CALLS = [
    ({"a": math.nan}, True, ValueError, "a"),
    ({"a": math.inf}, True, ValueError, "a"),
    ({"a": -math.inf, "b": 1.0}, True, ValueError, "a"),
    ({"a": 1.0}, [1], TypeError, "y"),
    ({"a": 1.0}, None, ValueError, "y"),
    ({"a": 1.0}, math.nan, ValueError, "y"),
    ({"a": [1, 2]}, True, TypeError, "x"),
    ([1.0, 2.0], True, TypeError, "x"),
]


@pytest.mark.parametrize("x, y, error, name", BAD_CALLS)
def test_bad_input_is_rejected_and_changes_nothing(x, y, error, name):
    model = tree.HoeffdingTreeClassifier(grace_period=20)
    for xi, yi in synth.SEA(seed=2).take(200):
        model.learn_one({"a": xi[0], "b": xi[1]}, yi)
    before = pickle.dumps(model)
    with pytest.raises(error, match=name):
        model.learn_one(x, y)
    assert pickle.dumps(model) == before


def test_bad_arrays_are_rejected_and_change_nothing():
    model = tree.HoeffdingTreeClassifier()
    model.learn_many_np(np.ones((10, 2)), np.zeros(10, dtype=int))
    before = pickle.dumps(model)
    X = np.ones((5, 2))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="X"):
        model.learn_many_np(X, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match="y"):
        model.learn_many_np(np.ones((5, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="y"):
        model.learn_many_np(np.ones((3, 2)), np.array([1.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="X"):
        evaluate.prequential(model, np.full((3, 2), np.inf), np.zeros(3))
    model.predict_proba_many_np(np.ones((4, 7)))  # unseen columns must not be registered
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(
    "param, value",
    [
        ("grace_period", 0),
        ("delta", -1.0),
        ("delta", 2.0),
        ("tau", -0.1),
        ("split_criterion", "entropy"),
        ("leaf_prediction", "knn"),
        ("nb_threshold", -1),
        ("min_branch_fraction", 1.5),
        ("max_share_to_split", 1.5),
        ("max_size", -5.0),
        ("max_depth", -1),
        ("memory_estimate_period", 0),
    ],
)
def test_invalid_parameters_name_themselves(param, value):
    with pytest.raises(ValueError, match=param):
        tree.HoeffdingTreeClassifier(**{param: value})


def test_max_size_deactivates_leaves_and_sizeof_tracks_the_tree():
    unbounded = tree.HoeffdingTreeClassifier(grace_period=50)
    bounded = tree.HoeffdingTreeClassifier(
        grace_period=50, max_size=0.005, memory_estimate_period=200
    )
    sizes = []
    for i, (x, y) in enumerate(synth.Agrawal(seed=9).take(20_000)):
        unbounded.learn_one(x, y)
        bounded.learn_one(x, y)
        if i % 5000 == 0:
            sizes.append(sys.getsizeof(unbounded))
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0]
    assert bounded.n_inactive_leaves > 0
    assert unbounded.n_inactive_leaves == 0
    assert sys.getsizeof(bounded) < sys.getsizeof(unbounded)


def test_moa_preset():
    model = tree.HoeffdingTreeClassifier.moa()
    assert (model.grace_period, model.delta, model.tau) == (50, 1e-7, 0.05)
    assert model.leaf_prediction == "nba" and model.splitter.n_splits == 10
    assert model.merit_preprune is False
    assert tree.HoeffdingTreeClassifier.moa(grace_period=200).grace_period == 200


def test_draw_shows_every_node():
    graphviz = pytest.importorskip("graphviz")
    model = tree.HoeffdingTreeClassifier(grace_period=50)
    for x, y in synth.Agrawal(seed=1).take(5000):
        model.learn_one(x, y)
    dot = model.draw()
    assert isinstance(dot, graphviz.Digraph)
    source = dot.source
    assert source.count("->") == model.n_nodes - 1
    assert "age" in source
    assert model.draw(max_depth=0).source.count("->") == 0
