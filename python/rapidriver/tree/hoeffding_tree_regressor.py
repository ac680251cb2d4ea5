"""river's HoeffdingTreeRegressor with its state and learning loop in Rust."""

from __future__ import annotations

import typing

import numpy as np
from river import base, linear_model, optim
from river.tree.splitter import EBSTSplitter, TEBSTSplitter

from rapidriver import _core
from rapidriver.tree._size import TreeSizeMixin
from rapidriver.tree.hoeffding_tree_classifier import _draw, _path_lines

__all__ = ["HoeffdingTreeRegressor"]


def _leaf_model_settings(model: base.Regressor | None) -> dict[str, float]:
    """The settings of a river `LinearRegression` that the Rust leaf models reproduce."""
    if model is None:
        model = linear_model.LinearRegression()
    if type(model) is not linear_model.LinearRegression:
        raise ValueError(
            "`leaf_model` must be None or a river linear_model.LinearRegression (the leaf "
            f"models run in Rust), got {type(model).__name__}"
        )
    opt = model.optimizer
    if type(opt) is not optim.SGD or not isinstance(
        opt.lr, (int, float, optim.schedulers.Constant)
    ):
        raise ValueError("`leaf_model` must use optim.SGD with a constant learning rate")
    lr = opt.lr.learning_rate if isinstance(opt.lr, optim.schedulers.Constant) else opt.lr
    if type(model.loss) is not optim.losses.Squared:
        raise ValueError("`leaf_model` must use the squared loss")
    if model.l1 != 0.0:
        raise ValueError("`leaf_model` with an L1 penalty is not supported")
    if not isinstance(model.initializer, optim.initializers.Zeros):
        raise ValueError("`leaf_model` must start from zero weights")
    intercept_lr = model.intercept_lr
    if not isinstance(intercept_lr, optim.schedulers.Constant):
        raise ValueError("`leaf_model` must use a constant `intercept_lr`")
    return {
        "lr": float(lr),
        "intercept_lr": float(intercept_lr.learning_rate),
        "intercept_init": float(model.intercept_init),
        "l2": float(model.l2),
        "clip_gradient": float(model.clip_gradient),
    }


class HoeffdingTreeRegressor(TreeSizeMixin, base.Regressor):
    """Hoeffding tree regressor (river's `tree.HoeffdingTreeRegressor`), learned in Rust.

    Splits maximise variance reduction, found with an extended binary search tree per numeric
    feature (values rounded to `splitter.digits` decimals by the default `TEBSTSplitter`); a
    split happens when the ratio of the second-best to the best reduction is below one minus
    the Hoeffding bound. Leaves predict the mean target (`"mean"`), a linear model
    (`"model"`), or whichever of the two has the smaller faded squared error (`"adaptive"`).
    Given the same stream, the tree splits exactly where and when river's does.

    Parameters
    ----------
    grace_period
        Weight a leaf sees between split attempts.
    max_depth
        Maximum depth (None: unbounded).
    delta
        Significance level of the Hoeffding bound.
    tau
        Tie threshold: split anyway once the bound falls below it.
    leaf_prediction
        `"mean"`, `"model"` or `"adaptive"`.
    leaf_model
        None or a river `linear_model.LinearRegression` with SGD at a constant rate (its
        settings are copied into Rust; other regressors raise `ValueError`). Leaf models see the
        numeric features only.
    model_selector_decay
        Fading factor of the adaptive leaves' squared errors.
    nominal_attributes
        Names of features to treat as nominal.
    splitter
        None (`TEBSTSplitter(digits=1)`), a `TEBSTSplitter` or an `EBSTSplitter`.
    min_samples_split
        Weight each branch of a split must have.
    binary_split
        Only binary splits for nominal features.
    max_size
        Memory limit of the tree, in MiB.
    memory_estimate_period
        Samples between memory checks.
    stop_mem_management
        Stop growing once the memory limit is hit.
    remove_poor_attrs
        Stop observing features that are clearly worse than the best.
    merit_preprune
        Consider "no split" as a candidate.

    Examples
    --------
    >>> from river import datasets, evaluate, metrics, preprocessing
    >>> from rapidriver import tree
    >>> model = preprocessing.StandardScaler() | tree.HoeffdingTreeRegressor(
    ...     grace_period=100, model_selector_decay=0.9
    ... )
    >>> evaluate.progressive_val_score(datasets.TrumpApproval(), model, metrics.MAE())
    MAE: 0.793345

    The same score as river's own tree on this pipeline.

    References
    ----------
    [^1]: Ikonomovska, E., Gama, J. & Džeroski, S. (2011). Learning model trees from evolving
        data streams. Data Mining and Knowledge Discovery, 23(1), 128-168.
    """

    def __init__(
        self,
        grace_period: int = 200,
        max_depth: int | None = None,
        delta: float = 1e-7,
        tau: float = 0.05,
        leaf_prediction: str = "adaptive",
        leaf_model: base.Regressor | None = None,
        model_selector_decay: float = 0.95,
        nominal_attributes: list | None = None,
        splitter: EBSTSplitter | None = None,
        min_samples_split: int = 5,
        binary_split: bool = False,
        max_size: float = 500.0,
        memory_estimate_period: int = 1_000_000,
        stop_mem_management: bool = False,
        remove_poor_attrs: bool = False,
        merit_preprune: bool = True,
    ):
        self.grace_period = grace_period
        self.max_depth = max_depth
        self.delta = delta
        self.tau = tau
        self.leaf_prediction = leaf_prediction
        self.leaf_model = leaf_model
        self.model_selector_decay = model_selector_decay
        self.nominal_attributes = nominal_attributes
        self.splitter = splitter
        self.min_samples_split = min_samples_split
        self.binary_split = binary_split
        self.max_size = max_size
        self.memory_estimate_period = memory_estimate_period
        self.stop_mem_management = stop_mem_management
        self.remove_poor_attrs = remove_poor_attrs
        self.merit_preprune = merit_preprune
        if splitter is None:
            digits: int | None = 1
        elif isinstance(splitter, TEBSTSplitter):
            digits = splitter.digits
        elif type(splitter) is EBSTSplitter:
            digits = None
        else:
            raise ValueError(
                "`splitter` must be None, a river TEBSTSplitter or an EBSTSplitter, "
                f"got {type(splitter).__name__}"
            )
        params = {
            "grace_period": grace_period,
            "max_depth": max_depth,
            "delta": delta,
            "tau": tau,
            "leaf_prediction": leaf_prediction,
            "leaf_model": _leaf_model_settings(leaf_model),
            "model_selector_decay": model_selector_decay,
            "digits": digits,
            "min_samples_split": min_samples_split,
            "binary_split": binary_split,
            "max_size": max_size,
            "memory_estimate_period": memory_estimate_period,
            "stop_mem_management": stop_mem_management,
            "remove_poor_attrs": remove_poor_attrs,
            "merit_preprune": merit_preprune,
            "nominal_attributes": nominal_attributes,
        }
        self._core = _core.HoeffdingTreeRegressor(params)
        self._bind()

    def _bind(self) -> None:
        self.learn_one = self._core.learn_one  # type: ignore[method-assign]
        self.predict_one = self._core.predict_one  # type: ignore[method-assign]

    # Class-level forms for river's abstract base; instances call the Rust methods directly.
    def learn_one(self, x: dict, y: base.typing.RegTarget, w: float = 1.0) -> None:
        self._core.learn_one(x, y, w)

    def predict_one(self, x: dict) -> base.typing.RegTarget:
        return self._core.predict_one(x)

    def __getstate__(self) -> dict[str, typing.Any]:
        state = self.__dict__.copy()
        for name in ("learn_one", "predict_one"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, typing.Any]) -> None:
        self.__dict__.update(state)
        self._bind()

    def learn_many_np(self, X: np.ndarray, y: np.ndarray) -> None:
        """Learn every row of a float array (features named 0..d-1), in order, in Rust.

        Gives exactly the model that `learn_one({0: x0, 1: x1, ...}, y)` row by row gives.
        """
        self._core.learn_many_np(
            np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)
        )

    def predict_many_np(self, X: np.ndarray) -> np.ndarray:
        """Predictions for every row of a float array (features named 0..d-1)."""
        return self._core.predict_many_np(np.ascontiguousarray(X, dtype=np.float64))

    def leaf_stats(self, x: dict) -> tuple[float, float, float] | None:
        """`(weight, mean, variance)` of the target at the leaf `x` reaches."""
        return self._core.leaf_stats(x)

    def debug_one(self, x: dict) -> str | None:
        """The path `x` takes through the tree, then the leaf's target mean and variance.

        The text is river's. None while the tree is empty.
        """
        path = self._core.path(x)
        if not path:
            return None
        lines = _path_lines(path[:-1])
        stats = self._core.leaf_stats(x)
        _, mean, var = stats
        lines.append(f"Mean: {_fmt(mean)} | Var: {_fmt(var)}")
        return "\n".join(lines) + "\n"

    def draw(self, max_depth: int | None = None):
        """A graphviz drawing of the tree (needs the optional `graphviz` package)."""

        def leaf_label(step: tuple[float, float]) -> str:
            return f"mean = {step[1]:.4g}\\nweight = {step[0]:g}"

        return _draw(self._core.structure(), leaf_label, max_depth)

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self._core.__sizeof__()

    @classmethod
    def _unit_test_params(cls):
        yield {}
        yield {"leaf_prediction": "mean", "grace_period": 50}


def _fmt(value: float) -> str:
    """river's statistic format: thousands separators, six decimals, trailing zeros dropped."""
    return f"{value:,.6f}".rstrip("0")
