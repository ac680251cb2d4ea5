"""rapidriver.moe.DriftMoEClassifier: the rules of the algorithm, a pure-Python reference,
river's checks, bad input and pickling."""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pytest
from river import checks
from river import tree as river_tree
from river.datasets import synth

from rapidriver import datasets, evaluate, moe


def sea_abrupt(seed=42):
    """SEA with an abrupt change of concept at every 5,000 samples (river's samples)."""
    return datasets.ConceptDriftStream(
        stream=datasets.SEA(seed=seed, variant=0),
        drift_stream=datasets.ConceptDriftStream(
            stream=datasets.SEA(seed=seed, variant=1),
            drift_stream=datasets.SEA(seed=seed, variant=2),
            position=5000,
            width=50,
            seed=seed + 1,
        ),
        position=5000,
        width=50,
        seed=seed,
    )


def arrays(stream, n):
    data = list(itertools.islice(stream, n))
    X = np.array([[x[k] for k in sorted(x)] for x, _ in data], dtype=np.float64)
    y = np.array([int(label) for _, label in data])
    return X, y


def router_logits(params, z):
    """The router's eval-mode forward pass in numpy, from its exported parameters."""
    w1, b1, w2, b2, w3, b3 = params
    d = len(z)
    h1 = np.maximum(w1.reshape(len(b1), d) @ z + b1, 0)
    h2 = np.maximum(w2.reshape(len(b2), len(b1)) @ h1 + b2, 0)
    return w3.reshape(len(b3), len(b2)) @ h2 + b3


def test_mask_and_top_k_follow_the_rules():
    model = moe.DriftMoEClassifier(n_experts=5, top_k=2, batch_size=1000, seed=3)
    stream = list(synth.SEA(seed=1).take(400))
    seen = set()
    for i, (x, y) in enumerate(stream):
        params_before = [p.copy() for p in model.router_parameters] if i else None
        seen.add(y)
        # Which experts would be right, from each tree's own prediction before learning; a
        # tree with no positive vote (an empty one) predicts the lowest label known, as the
        # published code reads its all-zero vote vector.
        experts_right = np.array(
            [(min(seen) if p is None else p) == y for p in model.expert_predictions(x)]
        )
        model.learn_one(x, y)
        step = model.last_step
        if not i:
            # Every expert is empty and the only label known is y's: all are right.
            assert step["mask"] == [1.0] * 5
            continue
        z = np.array([x[k] for k in sorted(x)], dtype=np.float32)
        logits = router_logits(params_before, z)
        order = sorted(range(5), key=lambda e: (-logits[e], e))
        assert step["trained"] == order[:2]
        assert step["chosen"] == int(np.argmax(logits))
        if experts_right.any():
            assert step["mask"] == [float(r) for r in experts_right]
        else:
            assert sum(step["mask"]) == 1.0
    # No router step yet (batch of 1000): the parameters never moved.
    assert model.losses.size == 0


class ReferenceMoE:
    """MoE-Data written from the description, with numpy and river's own trees."""

    def __init__(self, d, n_experts=12, top_k=3, batch=256, lr=2e-3, seed=0):
        self.rng = np.random.default_rng(seed)
        sizes = [(d, 256), (256, 128), (128, n_experts)]
        self.params = []
        for fan_in, fan_out in sizes:
            bound = math.sqrt(6 / (fan_in + fan_out))
            self.params += [
                self.rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                np.zeros(fan_out, np.float32),
            ]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.lr, self.top_k, self.batch, self.e = lr, top_k, batch, n_experts
        self.experts = [
            river_tree.HoeffdingTreeClassifier(
                grace_period=50, delta=1e-7, tau=0.05, leaf_prediction="nba", merit_preprune=False
            )
            for _ in range(n_experts)
        ]
        self.buffer = []
        self.seen = set()

    def forward(self, z, train):
        w1, b1, w2, b2, w3, b3 = self.params
        z1 = w1 @ z + b1
        keep = np.ones_like(z1)
        if train:
            keep = (self.rng.random(z1.shape) >= 0.2) / 0.8
        a1 = np.maximum(z1, 0) * keep
        z2 = w2 @ a1 + b2
        a2 = np.maximum(z2, 0)
        return w3 @ a2 + b3, (z, z1, keep, a1, z2, a2)

    def step(self):
        grads = [np.zeros_like(p) for p in self.params]
        scale = 1 / (len(self.buffer) * self.e)
        for z, target in self.buffer:
            out, (z0, z1, keep, a1, z2, a2) = self.forward(z, train=True)
            d_out = (1 / (1 + np.exp(-out)) - target) * scale
            grads[4] += np.outer(d_out, a2)
            grads[5] += d_out
            d2 = (self.params[4].T @ d_out) * (z2 > 0)
            grads[2] += np.outer(d2, a1)
            grads[3] += d2
            d1 = (self.params[2].T @ d2) * (z1 > 0) * keep
            grads[0] += np.outer(d1, z0)
            grads[1] += d1
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            p -= (
                (self.lr / (1 - 0.9**self.t))
                * m
                / (np.sqrt(v) / math.sqrt(1 - 0.999**self.t) + 1e-8)
            )
        self.buffer = []

    def predict(self, x, z):
        logits, _ = self.forward(z, train=False)
        return self.read(self.experts[int(np.argmax(logits))].predict_one(x))

    def read(self, prediction):
        # An expert without a prediction predicts the lowest label known (the published
        # code's argmax over an all-zero vote vector).
        return min(self.seen, default=None) if prediction is None else prediction

    def learn(self, x, y, z):
        logits, _ = self.forward(z, train=False)
        self.seen.add(y)
        mask = np.array([float(self.read(e.predict_one(x)) == y) for e in self.experts], np.float32)
        if not mask.any():
            votes = []
            for e in self.experts:
                leaf = e._root
                if leaf is not None and hasattr(leaf, "traverse"):
                    leaf = leaf.traverse(x, until_leaf=True)
                votes.append(moa_vote(leaf, x, y) if leaf is not None else 0.0)
            mask[int(np.argmax(votes))] = 1.0
        for i in sorted(range(self.e), key=lambda e: (-logits[e], e))[: self.top_k]:
            self.experts[i].learn_one(x, y)
        self.buffer.append((z, mask))
        if len(self.buffer) == self.batch:
            self.step()


def moa_vote(leaf, x, y):
    """MOA's getVotesForInstance for class `y` at a naive-Bayes-adaptive leaf: the raw class
    weight where the leaf predicts by majority class, else the class prior times the
    likelihoods, not normalised over classes."""
    weight = leaf.stats.get(y, 0.0)
    total = sum(leaf.stats.values())
    uses_nb = leaf.is_active() and leaf._nb_correct_weight >= leaf._mc_correct_weight
    if not uses_nb or total <= 0:
        return weight
    if weight <= 0:
        return 0.0
    log_vote = math.log(weight / total)
    for feature, splitter in leaf.splitters.items():
        if feature not in x:
            continue
        if hasattr(splitter, "cond_log_proba"):
            log_p = splitter.cond_log_proba(x[feature], y)
            log_vote += log_p if log_p > -math.inf else 0.0
        else:
            p = splitter.cond_proba(x[feature], y)
            log_vote += math.log(p) if p > 0 else 0.0
    return math.exp(log_vote)


def led_gradual(n=100_000, seed=1):
    """LED with 1, 3, 5, 7 drifting attributes, changing at n/4, n/2, 3n/4 (width n/20)."""
    streams = [
        datasets.LEDDrift(
            seed=seed + k, noise_percentage=0.1, irrelevant_features=True, n_drift_features=k
        )
        for k in (1, 3, 5, 7)
    ]
    inner = streams[-1]
    for k in (2, 1, 0):
        inner = datasets.ConceptDriftStream(streams[k], inner, n // 4, n // 20, seed=seed + k)
    return inner


@pytest.mark.parametrize(
    "name, make, d, n",
    [("SEA abrupt", sea_abrupt, 3, 4000), ("LED gradual", led_gradual, 24, 2500)],
)
def test_agrees_with_a_pure_python_reference(name, make, d, n):
    """Mean prequential accuracy over three router seeds (one seed alone varies by a point or
    two on a short prefix, for the reference as for ours)."""
    data = list(itertools.islice(make(), n))
    X, y = arrays(make(), n)
    ref_acc, our_acc = [], []
    for seed in range(3):
        ref = ReferenceMoE(d=d, seed=seed)
        correct = 0
        for x, label in data:
            z = np.array([x[k] for k in sorted(x)], dtype=np.float32)
            correct += ref.predict(x, z) == label
            ref.learn(x, label, z)
        ref_acc.append(correct / n)
        # The reference's experts are river's trees, so ours take river's naive Bayes here.
        ours = moe.DriftMoEClassifier(seed=seed, naive_bayes="river")
        our_acc.append(evaluate.prequential(ours, X, y)[-1])
    assert abs(np.mean(our_acc) - np.mean(ref_acc)) <= 0.01


@pytest.mark.parametrize(
    "make, floor", [(sea_abrupt, 0.975), (led_gradual, 0.69)], ids=["SEA abrupt", "LED gradual"]
)
def test_moe_data_on_100k_drifting_samples(make, floor):
    # Measured 0.984 and 0.701 with MOA's naive Bayes in the experts (the default), 0.980 and
    # 0.671 with river's (this SEA has no label noise; the LED floor is above river's naive
    # Bayes, which favours the classes a young leaf has not seen). Before empty experts were
    # read as predicting the lowest label (the published code's rule), LED gave 0.680.
    X, y = make().arrays(100_000)
    curve = evaluate.prequential(moe.DriftMoEClassifier(seed=1), X, y)
    assert curve[-1] > floor


def test_learns_drifting_streams():
    X, y = arrays(sea_abrupt(seed=7), 15_000)
    data_mode = evaluate.prequential(moe.DriftMoEClassifier(seed=1), X, y)
    task_mode = evaluate.prequential(moe.DriftMoEClassifier(mode="task", seed=1), X, y)
    assert data_mode[-1] > 0.9
    assert task_mode[-1] > 0.8
    # Recovery after the change at 5,000: accuracy over the last 5,000 samples stays high.
    last = (data_mode[-1] * 15_000 - data_mode[9_999] * 10_000) / 5_000
    assert last > 0.9


def test_dict_and_numpy_paths_build_the_same_model():
    X, y = arrays(synth.SEA(seed=3), 1500)
    by_rows = moe.DriftMoEClassifier(n_experts=4, batch_size=32, seed=5)
    for row, label in zip(X.tolist(), y.tolist(), strict=True):
        by_rows.learn_one(dict(enumerate(row)), label)
    by_array = moe.DriftMoEClassifier(n_experts=4, batch_size=32, seed=5)
    by_array.learn_many_np(X, y)
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)
    proba = by_array.predict_proba_many_np(X[:50])
    for row, p in zip(X[:50].tolist(), proba, strict=True):
        expected = by_rows.predict_proba_one(dict(enumerate(row)))
        assert p == pytest.approx([expected[c] for c in sorted(expected)], abs=1e-12)


@pytest.mark.parametrize("mode", ["data", "task"])
def test_predicting_between_learning_steps_changes_nothing(mode):
    # A prediction caches the router's scores for the learn_one of the same sample; the model
    # must end up exactly where learning alone takes it, also when the inputs differ.
    X, y = arrays(synth.SEA(seed=4), 800)
    quiet = moe.DriftMoEClassifier(mode=mode, n_experts=4, batch_size=16, seed=2)
    chatty = moe.DriftMoEClassifier(mode=mode, n_experts=4, batch_size=16, seed=2)
    for i, (row, label) in enumerate(zip(X.tolist(), y.tolist(), strict=True)):
        x = dict(enumerate(row))
        chatty.predict_proba_one(x if i % 3 else dict(enumerate(X[i - 1].tolist())))
        chatty.learn_one(x, label)
        quiet.learn_one(x, label)
    assert pickle.dumps(chatty) == pickle.dumps(quiet)
    assert evaluate.prequential(chatty, X[:200], y[:200])[-1] == pytest.approx(
        evaluate.prequential(quiet, X[:200], y[:200])[-1]
    )


@pytest.mark.parametrize("mode", ["data", "task"])
def test_prequential_on_arrays_equals_predict_one_then_learn_one(mode):
    # The array path reads most predictions off the experts' verdicts and scores the router's
    # inputs a block at a time; the curve and the model must be those of the plain loop.
    # Labels are strings whose sorted order is not the order of first appearance, so ties
    # (early samples, majority-class leaves) must be broken by label order as predict_one does.
    X, y = arrays(synth.LED(seed=6, noise_percentage=0.1), 2500)
    names = np.array(
        ["nine", "eight", "seven", "six", "five", "four", "three", "two", "one", "zero"]
    )
    labels = names[np.asarray(y, dtype=int)]
    # Then exact ties on every other sample: constant features, alternating labels, the first
    # seen ("b") last in label order.
    X = np.vstack([np.zeros((300, X.shape[1])), X])
    labels = np.concatenate([np.array(["b", "a"] * 150), labels])
    params = dict(mode=mode, n_experts=4, batch_size=24, seed=3)
    by_array = moe.DriftMoEClassifier(**params)
    curve = evaluate.prequential(by_array, X, labels)
    by_rows = moe.DriftMoEClassifier(**params)
    correct, expected = 0, []
    for i, (row, label) in enumerate(zip(X.tolist(), labels.tolist(), strict=True)):
        x = dict(enumerate(row))
        if i > 0:
            correct += by_rows.predict_one(x) == label
        by_rows.learn_one(x, label)
        expected.append(correct / (i + 1))
    assert curve.tolist() == expected
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)


def test_nominal_columns_match_the_dict_path_and_feed_the_router_their_codes():
    # MOA's LED has nominal attributes: the trees see categories, the router the codes.
    X, y = datasets.LED(seed=2, noise_percentage=0.1).arrays(1200)
    nominal = list(range(X.shape[1]))
    by_rows = moe.DriftMoEClassifier(n_experts=4, batch_size=32, nominal_attributes=nominal, seed=5)
    for row, label in zip(X.tolist(), y.tolist(), strict=True):
        by_rows.learn_one({j: int(v) for j, v in enumerate(row)}, label)
    by_array = moe.DriftMoEClassifier(
        n_experts=4, batch_size=32, nominal_attributes=nominal, seed=5
    )
    by_array.learn_many_np(X, y)
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)
    # The router reads the codes: with all-zero inputs its first layer would get no gradient
    # and keep its initial weights (those of a model that has seen one sample, no step yet).
    fresh = moe.DriftMoEClassifier(n_experts=4, batch_size=32, nominal_attributes=nominal, seed=5)
    fresh.learn_many_np(X[:1], y[:1])
    assert not np.array_equal(by_array.router_parameters[0], fresh.router_parameters[0])
    # Nominal experts split by category, not by threshold: the models differ.
    numeric = moe.DriftMoEClassifier(n_experts=4, batch_size=32, seed=5)
    numeric.learn_many_np(X, y)
    assert pickle.dumps(numeric) != pickle.dumps(by_array)


def test_nominal_codes_of_every_kind_match_the_dict_path():
    # Small integral codes are looked up by index, others (large, fractional, -0.0) by their
    # bits; -0.0 is the code 0, as in a dict, where both are the int 0.
    rng = np.random.default_rng(4)
    codes = np.array([0.0, 1.0, 2048.0, 2.5, -0.0, 7.0])
    X = np.column_stack([rng.choice(codes, 3000), rng.choice(codes, 3000), rng.normal(size=3000)])
    y = ((X[:, 0] == 2.5) | (X[:, 1] == 0.0) | (X[:, 2] > 1)).astype(int)
    by_rows = moe.DriftMoEClassifier(n_experts=4, batch_size=32, nominal_attributes=[0, 1], seed=2)
    for row, label in zip(X.tolist(), y.tolist(), strict=True):
        x = {j: (int(v) if j < 2 and v.is_integer() else v) for j, v in enumerate(row)}
        by_rows.learn_one(x, label)
    by_array = moe.DriftMoEClassifier(
        n_experts=4, batch_size=32, nominal_attributes=[0, 1], seed=2
    )
    by_array.learn_many_np(X, y)
    assert pickle.dumps(by_array) == pickle.dumps(by_rows)
    assert evaluate.prequential(by_array, X, y)[-1] > 0.9


@pytest.mark.parametrize("params", list(moe.DriftMoEClassifier._unit_test_params()))
def test_river_check_estimator(params):
    checks.check_estimator(moe.DriftMoEClassifier(**params))


def test_pickle_mid_stream_restores_the_same_model():
    stream = list(itertools.islice(sea_abrupt(), 3000))
    model = moe.DriftMoEClassifier(n_experts=6, batch_size=50, seed=9)
    for x, y in stream[:1234]:
        model.learn_one(x, y)
    restored = pickle.loads(pickle.dumps(model))
    for x, y in stream[1234:]:
        assert restored.predict_proba_one(x) == model.predict_proba_one(x)
        model.learn_one(x, y)
        restored.learn_one(x, y)
    assert pickle.dumps(restored) == pickle.dumps(model)
    np.testing.assert_array_equal(restored.losses, model.losses)


@pytest.mark.parametrize(
    "x, y, error, name",
    [
        ({0: math.nan, 1: 1.0, 2: 2.0}, True, ValueError, "x"),
        ({0: 1.0, 1: 1.0, 2: 2.0}, None, ValueError, "y"),
        ({0: 1.0, 1: 1.0, 2: 2.0}, [1], TypeError, "y"),
        ([1.0, 2.0], True, TypeError, "x"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(x, y, error, name):
    model = moe.DriftMoEClassifier(n_experts=3, top_k=1, batch_size=16, seed=1)
    for xi, yi in synth.SEA(seed=2).take(100):
        model.learn_one(xi, yi)
    before = pickle.dumps(model)
    with pytest.raises(error, match=name):
        model.learn_one(x, y)
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"mode": "both"}, "mode"),
        ({"n_experts": 0}, "n_experts"),
        ({"top_k": 13}, "top_k"),
        ({"batch_size": 0}, "batch_size"),
        ({"lr": -1.0}, "lr"),
        ({"dropout": 1.0}, "dropout"),
        ({"hidden": (16,)}, "hidden"),
        ({"seed": -3}, "seed"),
        ({"naive_bayes": "gaussian"}, "naive_bayes"),
    ],
)
def test_invalid_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        moe.DriftMoEClassifier(**kwargs)
