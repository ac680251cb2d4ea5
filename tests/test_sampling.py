"""rapidriver.sampling: input laws, the ISCV estimator, the baselines and Sobol' indices."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from scipy import stats

from rapidriver import _core
from rapidriver.sampling import (
    Exponential,
    GaussianCopula,
    Gumbel,
    Independent,
    LogNormal,
    Normal,
    Uniform,
    estimate_expectations,
    importance_sampling,
    monte_carlo,
    sobol_indices,
)

# ---------------------------------------------------------------- models and references


def beam(x: np.ndarray) -> np.ndarray:
    """Cantilever-beam tip deflection (the paper's case, E in GPa)."""
    fx, fy, e, w, t, length = x.T
    e = 1e9 * e
    return 4 * length**3 / (e * w * t) * np.sqrt((fx / w**2) ** 2 + (fy / t**2) ** 2)


BEAM = Independent(
    [
        LogNormal.from_mean_cov(556.8, 0.08),
        LogNormal.from_mean_cov(453.6, 0.08),
        LogNormal.from_mean_cov(200.0, 0.06),
        Normal(0.062, 0.0062),
        Normal(0.0987, 0.00987),
        Normal(4.29, 0.429),
    ]
)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1):
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


G_A = np.array([0.0, 1.0, 4.5, 9.0])


def g_function(x: np.ndarray) -> np.ndarray:
    return np.prod((np.abs(4 * x - 2) + G_A) / (1 + G_A), axis=1)


def g_indices():
    vi = 1 / (3 * (1 + G_A) ** 2)
    v = np.prod(1 + vi) - 1
    total = np.array([vi[i] * np.prod(np.delete(1 + vi, i)) for i in range(len(vi))]) / v
    return vi / v, total


def double_factorial_moments(k: int) -> np.ndarray:
    """E[X^(2j)] = (2j - 1)!! for X ~ N(0, 1), j = 1..k."""
    return np.array([np.prod(np.arange(1, 2 * j, 2)) for j in range(1, k + 1)], dtype=float)


# ---------------------------------------------------------------- distributions


@pytest.mark.parametrize(
    ("law", "ref"),
    [
        (Normal(1.0, 2.0), stats.norm(1.0, 2.0)),
        (LogNormal(0.5, 0.3), stats.lognorm(0.3, scale=math.exp(0.5))),
        (Uniform(-1.0, 3.0), stats.uniform(-1.0, 4.0)),
        (Exponential(2.0), stats.expon(scale=0.5)),
        (Gumbel(1.0, 0.5), stats.gumbel_r(1.0, 0.5)),
    ],
)
def test_marginals_match_scipy(law, ref):
    u = np.array([[-4.0], [-1.2], [0.0], [0.8], [3.5]])
    x = law.from_standard(u)
    np.testing.assert_allclose(x[:, 0], ref.ppf(stats.norm.cdf(u[:, 0])), rtol=1e-9)
    np.testing.assert_allclose(law.to_standard(x), u, atol=1e-7)
    np.testing.assert_allclose(law.log_pdf(x), ref.logpdf(x[:, 0]), rtol=1e-10)
    s = law.sample(40_000, seed=3)[:, 0]
    assert abs(s.mean() - ref.mean()) < 4 * ref.std() / math.sqrt(len(s))


def test_lognormal_from_mean_and_cov_and_copula():
    law = LogNormal.from_mean_cov(556.8, 0.08)
    assert math.isclose(math.exp(law.mu + law.sigma**2 / 2), 556.8, rel_tol=1e-12)
    assert math.isclose(math.sqrt(math.expm1(law.sigma**2)), 0.08, rel_tol=1e-12)
    corr = np.array([[1.0, 0.7], [0.7, 1.0]])
    cop = GaussianCopula([Exponential(1.0), Uniform(0, 1)], corr)
    x = cop.sample(30_000, seed=1)
    scores = stats.norm.ppf(np.column_stack([stats.expon.cdf(x[:, 0]), x[:, 1]]))
    assert abs(np.corrcoef(scores.T)[0, 1] - 0.7) < 0.02
    # Density = marginals times the copula density of the scores.
    pt = np.array([[0.4, 0.3]])
    z = stats.norm.ppf([stats.expon.cdf(0.4), 0.3])
    expected = (
        stats.multivariate_normal([0, 0], corr).logpdf(z) - stats.norm.logpdf(z).sum()
        + stats.expon.logpdf(0.4)
    )
    assert math.isclose(cop.log_pdf(pt)[0], expected, rel_tol=1e-10)


def test_invalid_distribution_parameters():
    with pytest.raises(ValueError, match="sigma"):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="`b`"):
        Uniform(2.0, 1.0)
    with pytest.raises(ValueError, match="rate"):
        Exponential(0.0)
    with pytest.raises(ValueError, match="cov"):
        LogNormal.from_mean_cov(1.0, -0.1)
    with pytest.raises(ValueError, match="correlation"):
        GaussianCopula([Normal(), Normal()], [[1.0, 1.2], [1.2, 1.0]])
    with pytest.raises(TypeError, match="marginals"):
        Independent([Normal(), 3.0])


def test_distributions_pickle_to_the_same_law():
    law = Independent([GaussianCopula([Normal(), Gumbel()], [[1, 0.3], [0.3, 1]]), Uniform()])
    back = pickle.loads(pickle.dumps(law))
    assert back == law
    np.testing.assert_array_equal(back.sample(5, seed=2), law.sample(5, seed=2))


# ---------------------------------------------------------------- estimators


def test_gaussian_moments_variance_far_below_monte_carlo():
    """The authors' case: phi_j = x^(2j), j = 1..10, weights 1/I_j^2, budget 2e4, 50 seeds."""
    truth = double_factorial_moments(10)
    powers = np.arange(2, 21, 2)
    est = np.array(
        [
            estimate_expectations(
                lambda x: x**powers, Normal(0, 1), 20_000, weights=1 / truth**2, seed=s
            ).estimates
            for s in range(50)
        ]
    )
    rel_var = (est.var(axis=0, ddof=1) / truth**2).sum()
    # Plain MC: sum_j Var(X^2j) / (N I_j^2) = sum_j ((4j - 1)!! / (2j - 1)!!^2 - 1) / N.
    mc = (double_factorial_moments(20)[1::2] / truth**2 - 1).sum() / 20_000
    # = 3.126; the paper's 12.78 is an empirical variance over 200 runs of a heavy-tailed estimator.
    assert math.isclose(mc, 3.1264, rel_tol=1e-4)
    assert rel_var < mc / 1000, (rel_var, mc)
    # Unbiased: the low moments' mean over seeds within three standard errors.
    for j in range(4):
        se = est[:, j].std(ddof=1) / math.sqrt(50)
        assert abs(est[:, j].mean() - truth[j]) < 3 * se + 1e-12


def test_linear_model_mean_unbiased_over_seeds():
    law = Independent([Normal(1.0, 0.5), Uniform(0.0, 2.0), Exponential(2.0)])
    coef = np.array([2.0, -1.0, 3.0])
    truth = 2.0 * 1.0 - 1.0 * 1.0 + 3.0 * 0.5
    est = [estimate_expectations(lambda x: x @ coef, law, 1_000, seed=s) for s in range(30)]
    means = np.array([r.estimates[0] for r in est])
    assert abs(means.mean() - truth) < 3 * means.std(ddof=1) / math.sqrt(len(means))
    assert all(r.split == [True] for r in est)  # x @ coef changes sign under these laws
    assert all(r.runs_adaptation + r.runs_final == 1_000 for r in est)


def test_beam_mean_unbiased_and_variance_below_monte_carlo():
    rng_ref = BEAM.sample(400_000, seed=99)
    ref = beam(rng_ref)
    ref_mean, ref_se = ref.mean(), ref.std() / math.sqrt(len(ref))
    est = np.array(
        [estimate_expectations(beam, BEAM, 10_000, seed=s).estimates[0] for s in range(20)]
    )
    se = est.std(ddof=1) / math.sqrt(len(est))
    assert abs(est.mean() - ref_mean) < 3 * math.hypot(se, ref_se)
    assert est.var(ddof=1) < ref.var() / 10_000 / 5  # at least 5x below plain MC


def test_sign_changing_functions_are_split_and_unbiased():
    """E[X] = 0 and E[X^3] = 0 under N(0, 1): both change sign."""
    results = [
        estimate_expectations(lambda x: np.column_stack([x, x**3]), Normal(), 2_000, seed=s)
        for s in range(30)
    ]
    assert all(r.split == [True, True] for r in results)
    est = np.array([r.estimates for r in results])
    for k in range(2):
        se = est[:, k].std(ddof=1) / math.sqrt(len(est))
        assert abs(est[:, k].mean()) < 3 * se
    # Plain MC: Var(X) / N = 1/2000, Var(X^3) / N = 15/2000; the split parts do better.
    assert est[:, 0].var(ddof=1) < 0.5 / 2000
    assert est[:, 1].var(ddof=1) < 0.5 * 15 / 2000


def test_several_input_laws_and_the_baselines():
    laws = [Normal(m, 1.0) for m in np.linspace(-1.0, 1.0, 5)]
    truth = np.linspace(-1.0, 1.0, 5) ** 2 + 1.0
    for fn in (estimate_expectations, monte_carlo, importance_sampling):
        r = fn(lambda x: x[:, 0] ** 2, laws, 5_000, seed=4)
        assert r.estimates.shape == (5,)
        assert np.all(np.abs(r.estimates - truth) < 4 * r.std_errors), fn.__name__
        assert r.runs == 5_000
    mc = monte_carlo(lambda x: x[:, 0] ** 2, laws, 5_000, seed=4)
    assert np.all(mc.covariance[~np.eye(5, dtype=bool)] == 0)  # separate samples


def test_monte_carlo_and_importance_sampling_by_hand():
    count = iter(range(1, 11))
    r = monte_carlo(lambda x: np.array([next(count) for _ in x]), Normal(), 10, seed=0)
    assert r.estimates[0] == 5.5
    assert math.isclose(r.std_errors[0] ** 2, np.var(np.arange(1, 11), ddof=1) / 10)
    # IS of a constant with proposal = input: weights exactly 1.
    r = importance_sampling(lambda x: np.full(len(x), 2.0), Normal(), 100, proposal=Normal())
    assert r.estimates[0] == 2.0 and r.std_errors[0] == 0.0


def test_same_seed_same_result_and_pickled_estimator_continues():
    f = lambda x: np.column_stack([x[:, 0] ** 2, np.exp(x[:, 0])])  # noqa: E731
    a = estimate_expectations(f, Normal(), 1_000, seed=7)
    b = estimate_expectations(f, Normal(), 1_000, seed=7)
    np.testing.assert_array_equal(a.estimates, b.estimates)
    est = _core.Estimator([Normal()._inner], 1_000, "iscv", seed=7)
    for _ in range(2):
        x = est.ask()
        est.tell(np.ascontiguousarray(f(x)))
    twin = pickle.loads(pickle.dumps(est))
    for e in (est, twin):
        while (x := e.ask()) is not None:
            e.tell(np.ascontiguousarray(f(x)))
    np.testing.assert_array_equal(est.outcome()["estimates"], twin.outcome()["estimates"])
    np.testing.assert_array_equal(est.outcome()["estimates"], a.estimates)


def test_model_called_once_per_batch_and_history():
    calls = []

    def model(x):
        calls.append(len(x))
        return x[:, 0] ** 2

    r = estimate_expectations(model, Normal(), 2_000, seed=0)
    assert sum(calls) == 2_000 and max(calls) == 200
    assert r.history[0]["alpha"].size == 0  # pilot batch
    assert [h["runs"] for h in r.history] == [200 * (i + 1) for i in range(len(r.history))]
    assert r.runs_adaptation == r.history[-1]["runs"] and r.runs_adaptation <= 1_000
    for h in r.history[1:]:
        assert math.isclose(h["alpha"].sum(), 1.0)


# ---------------------------------------------------------------- bad input


def test_bad_model_output_and_arguments():
    with pytest.raises(ValueError, match="funcs output"):
        estimate_expectations(lambda x: np.full(len(x), np.nan), Normal(), 1_000)
    with pytest.raises(ValueError, match=r"shape \(100,\)"):
        estimate_expectations(lambda x: np.ones(len(x) + 1), Normal(), 1_000)
    with pytest.raises(TypeError, match="funcs"):
        estimate_expectations(lambda x: ["a"] * len(x), Normal(), 1_000)
    with pytest.raises(ValueError, match="budget"):
        estimate_expectations(lambda x: x[:, 0], Normal(), 50)
    with pytest.raises(ValueError, match="weights"):
        estimate_expectations(lambda x: x, Normal(), 1_000, weights=[0.0])
    with pytest.raises(ValueError, match="weights"):
        estimate_expectations(lambda x: np.column_stack([x, x]), Normal(), 1_000, weights=[1.0])
    with pytest.raises(ValueError, match="family"):
        estimate_expectations(lambda x: x, Normal(), 1_000, family="student")
    with pytest.raises(TypeError, match="inputs"):
        estimate_expectations(lambda x: x, [1.0], 1_000)
    with pytest.raises(ValueError, match="budget"):
        sobol_indices(ishigami, Independent([Uniform(-3, 3)] * 3), 100)
    with pytest.raises(ValueError, match="independent"):
        sobol_indices(lambda x: x[:, 0], GaussianCopula([Normal(), Normal()], np.eye(2)), 10_000)


def test_rejected_output_leaves_the_estimator_as_it_was():
    est = _core.Estimator([Normal()._inner], 1_000, "iscv", seed=1)
    x = est.ask()
    with pytest.raises(ValueError, match="funcs output"):
        est.tell(np.full((len(x), 1), np.inf))
    np.testing.assert_array_equal(est.ask(), x)
    assert est.runs == 0
    est.tell(x**2)
    assert est.runs == len(x)


# ---------------------------------------------------------------- Sobol' indices


@pytest.mark.parametrize("method", ["iscv", "saltelli", "pick-freeze"])
def test_ishigami_indices(method):
    law = Independent([Uniform(-math.pi, math.pi)] * 3)
    first, total = ishigami_indices()
    r = sobol_indices(ishigami, law, 50_000, method=method, seed=2)
    assert r.runs == 50_000 // 5 * 5
    assert np.all(np.abs(r.first - first) < 4 * r.first_se + 0.01), (r.first, r.first_se)
    assert np.all(np.abs(r.total - total) < 4 * r.total_se + 0.01), (r.total, r.total_se)


@pytest.mark.parametrize("method", ["iscv", "saltelli"])
def test_g_function_indices(method):
    law = Independent([Uniform(0, 1)] * 4)
    first, total = g_indices()
    r = sobol_indices(g_function, law, 60_000, method=method, seed=3)
    assert np.all(np.abs(r.first - first) < 4 * r.first_se + 0.01), (r.first, r.first_se)
    assert np.all(np.abs(r.total - total) < 4 * r.total_se + 0.01), (r.total, r.total_se)
    lo, hi = r.confidence_intervals(0.95)[0].T
    assert np.all(lo < r.first) and np.all(r.first < hi)


def test_sobol_model_shape_checked_and_plot():
    law = Independent([Uniform(0, 1)] * 2)
    with pytest.raises(ValueError, match="model"):
        sobol_indices(lambda x: np.ones((len(x), 2)), law, 4_000)
    r = sobol_indices(lambda x: x[:, 0] + 2 * x[:, 1], law, 4_000, method="saltelli")
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    ax = r.plot()
    assert len(ax.patches) == 4


def test_bootstrap_intervals_cover_ishigami_indices():
    # 90% percentile intervals of the six Ishigami indices over 40 seeds: about 216 of 240 should
    # contain the analytic value; fewer than 192 (80%) or more than 234 would be a broken bootstrap.
    law = Independent([Uniform(-math.pi, math.pi)] * 3)
    first, total = ishigami_indices()
    hits = 0
    for seed in range(40):
        r = sobol_indices(ishigami, law, 10_000, method="saltelli", seed=seed, bootstrap=200,
                          confidence=0.9)
        assert r.first_ci.shape == (3, 2) and r.total_ci.shape == (3, 2)
        for ci, truth in ((r.first_ci, first), (r.total_ci, total)):
            hits += int(np.sum((ci[:, 0] <= truth) & (truth <= ci[:, 1])))
    assert 192 <= hits <= 234, hits


def test_bootstrap_agrees_with_delta_method_and_is_seeded():
    law = Independent([Uniform(-math.pi, math.pi)] * 3)
    r = sobol_indices(ishigami, law, 30_000, method="iscv", seed=4, bootstrap=300)
    for boot, delta in ((r.first_se_bootstrap, r.first_se), (r.total_se_bootstrap, r.total_se)):
        ratio = boot / delta
        assert np.all((ratio > 2 / 3) & (ratio < 1.5)), ratio
    assert np.all((r.first_ci[:, 0] < r.first) & (r.first < r.first_ci[:, 1]))
    again = sobol_indices(ishigami, law, 30_000, method="iscv", seed=4, bootstrap=300)
    np.testing.assert_array_equal(again.first_ci, r.first_ci)
    other = sobol_indices(ishigami, law, 30_000, method="iscv", seed=5, bootstrap=300)
    assert not np.array_equal(other.first_ci, r.first_ci)
    plain = sobol_indices(ishigami, law, 30_000, method="iscv", seed=4)
    assert plain.first_ci is None
    np.testing.assert_array_equal(plain.first, r.first)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [(dict(bootstrap=1), ValueError), (dict(bootstrap=-3), ValueError),
     (dict(bootstrap=True), TypeError), (dict(bootstrap=2.5), TypeError),
     (dict(bootstrap=10, confidence=1.0), ValueError)],
)
def test_bootstrap_bad_input(kwargs, exc):
    law = Independent([Uniform(0, 1)] * 2)
    name = "confidence" if "confidence" in kwargs else "bootstrap"
    with pytest.raises(exc, match=name):
        sobol_indices(lambda x: x[:, 0] + x[:, 1], law, 4_000, method="saltelli", **kwargs)


def test_first_order_only():
    # Monte Carlo draws the same points either way: equal first-order indices, no total order.
    law = Independent([Uniform(-math.pi, math.pi)] * 3)
    both = sobol_indices(ishigami, law, 10_000, method="saltelli", seed=1)
    first = sobol_indices(ishigami, law, 10_000, method="saltelli", seed=1, order="first",
                          bootstrap=50)
    np.testing.assert_allclose(first.first, both.first, rtol=0, atol=1e-12)
    np.testing.assert_allclose(first.first_se, both.first_se, rtol=0, atol=1e-12)
    assert np.all(np.isnan(first.total)) and np.all(np.isnan(first.total_ci))
    assert len(first.expectations.estimates) == 4
    r = sobol_indices(ishigami, law, 30_000, method="iscv", seed=2, order="first")
    assert np.all(np.abs(r.first - ishigami_indices()[0]) < 4 * r.first_se + 0.01), r.first
    with pytest.raises(ValueError, match="order"):
        sobol_indices(ishigami, law, 10_000, order="total")
