"""river-compatible face of the Rust DriftMoE."""

from __future__ import annotations

import random
import typing

import numpy as np
from river import base

from rapidriver import _core
from rapidriver._batch import ClassifierBatchMixin

if typing.TYPE_CHECKING:
    pass

__all__ = ["DriftMoEClassifier"]


class DriftMoEClassifier(ClassifierBatchMixin, base.Classifier):
    """DriftMoE, an online mixture of Hoeffding-tree experts with a neural router.

    The router is a small network (Linear(d, 256), ReLU, Dropout(0.2), Linear(256, 128), ReLU,
    Linear(128, n_experts); Xavier-uniform weights, zero biases) trained with Adam on a binary
    cross-entropy loss. The experts are Hoeffding trees in MOA's configuration (grace period 50,
    delta 1e-7, tau 0.05, naive-Bayes-adaptive leaves with MOA's naive Bayes, no pre-pruning).

    - `mode="data"` (MoE-Data): the expert with the highest router score predicts; the `top_k`
      highest-scoring experts learn each sample; the router's target is the multi-hot mask of
      the experts that were right (or, when none was, the one with the largest raw vote for the
      true class: MOA's vote, i.e. the leaf's class weight where it predicts by majority class
      and the unnormalised naive-Bayes score where it predicts by naive Bayes, as the paper's
      MOA experts give it), one optimiser step per mini-batch of `batch_size` samples. An
      expert's prediction is read as the published code reads its vote vector: the first
      largest vote in label order, so an expert with no positive vote (an empty one) predicts
      the lowest label known and ties go to the lower label. Empty experts are therefore right
      on that label's samples, and the router learns to route to them and train them.
    - `mode="task"` (MoE-Task): one one-vs-rest tree per class (added as classes appear), every
      tree learns every sample, the router learns the one-hot class at every sample and
      predicts the class of its highest-scoring expert.

    The router reads the numeric features known when it is built (at the first sample learned,
    by first appearance; a missing one reads 0, a nominal one its code if that is a number).
    Dropout is applied while training and not when predicting; weight initialisation and
    dropout masks come from `seed`.

    Parameters
    ----------
    mode
        `"data"` or `"task"`.
    n_experts
        Number of experts (data mode; in task mode one per class).
    top_k
        Experts that learn each sample (data mode).
    batch_size
        Samples per router step (data mode).
    lr
        Adam's learning rate.
    hidden
        Widths of the router's two hidden layers.
    dropout
        Dropout rate after the first hidden layer.
    grace_period, delta, tau
        The experts' Hoeffding-tree settings.
    naive_bayes
        How the experts' leaves compute naive Bayes: `"moa"` as MOA's trees (the paper's
        experts) do, with Laplace-corrected nominal likelihoods and a vote of 0 for a class
        an observer has not seen; `"river"` as river's trees do, in logs, skipping such terms
        (which favours the classes a young leaf has not seen).
    nominal_attributes
        Names of features to treat as nominal (for arrays: column numbers, whose values are
        codes). The trees see them as categories; the router reads a code that is a number as
        that number, as the paper's MOA streams (LED's attributes are nominal 0/1) do.
    seed
        Seed of the router's initialisation and dropout (None: a random one).

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver import evaluate, moe
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 10, size=(5000, 3))
    >>> y = (X[:, 0] + X[:, 1] > 10).astype(int)
    >>> model = moe.DriftMoEClassifier(n_experts=4, top_k=2, batch_size=64, seed=1)
    >>> curve = evaluate.prequential(model, X, y)
    >>> bool(curve[-1] > 0.9)
    True

    References
    ----------
    [^1]: Aspis, M., Cajas Ordóñez, S. A., Suárez-Cetrulo, A. L. & Simón Carbajo, R. (2025).
        DriftMoE: A Mixture of Experts Approach to Handle Concept Drifts. arXiv:2507.18464.
    """

    def __init__(
        self,
        mode: str = "data",
        n_experts: int = 12,
        top_k: int = 3,
        batch_size: int = 256,
        lr: float = 2e-3,
        hidden: tuple[int, int] = (256, 128),
        dropout: float = 0.2,
        grace_period: int = 50,
        delta: float = 1e-7,
        tau: float = 0.05,
        naive_bayes: str = "moa",
        nominal_attributes: list | None = None,
        seed: int | None = None,
    ):
        self.mode = mode
        self.n_experts = n_experts
        self.top_k = top_k
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.dropout = dropout
        self.grace_period = grace_period
        self.delta = delta
        self.tau = tau
        self.naive_bayes = naive_bayes
        self.nominal_attributes = nominal_attributes
        self.seed = seed
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ValueError(f"`seed` must be None or a non-negative int, got {seed!r}")
        if len(hidden) != 2:
            raise ValueError(f"`hidden` must be two layer widths, got {hidden!r}")
        self._seed = seed if seed is not None else random.SystemRandom().randrange(2**63)
        self._core = _core.DriftMoE(
            {
                "mode": mode,
                "n_experts": n_experts,
                "top_k": top_k,
                "batch_size": batch_size,
                "lr": lr,
                "hidden1": hidden[0],
                "hidden2": hidden[1],
                "dropout": dropout,
                "grace_period": grace_period,
                "delta": delta,
                "tau": tau,
                "naive_bayes": naive_bayes,
                "nominal_attributes": nominal_attributes,
                "seed": self._seed,
            }
        )
        self._bind()

    def _bind(self) -> None:
        self.learn_one = self._core.learn_one  # type: ignore[method-assign]
        self.predict_proba_one = self._core.predict_proba_one  # type: ignore[method-assign]
        self.predict_one = self._core.predict_one  # type: ignore[method-assign]

    # Class-level forms for river's abstract base; instances call the Rust methods directly.
    def learn_one(self, x: dict, y: base.typing.ClfTarget) -> None:
        self._core.learn_one(x, y)

    def predict_proba_one(self, x: dict) -> dict[base.typing.ClfTarget, float]:
        return self._core.predict_proba_one(x)

    def predict_one(self, x: dict) -> base.typing.ClfTarget | None:
        return self._core.predict_one(x)

    def __getstate__(self) -> dict[str, typing.Any]:
        state = self.__dict__.copy()
        for name in ("learn_one", "predict_proba_one", "predict_one"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, typing.Any]) -> None:
        self.__dict__.update(state)
        self._bind()

    @property
    def _multiclass(self) -> bool:
        return True

    # Batch paths --------------------------------------------------------------------

    def learn_many_np(self, X: np.ndarray, y: np.ndarray) -> None:
        """Learn every row of a float array (features named 0..d-1), in order, in Rust."""
        self._core.learn_many_np(np.ascontiguousarray(X, dtype=np.float64), np.asarray(y))

    def predict_proba_many_np(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities per row; columns follow the sorted class labels."""
        return self._core.predict_proba_many_np(np.ascontiguousarray(X, dtype=np.float64))

    # Inspection ---------------------------------------------------------------------

    @property
    def last_step(self) -> dict[str, typing.Any]:
        """The last `learn_one`: chosen expert, experts that learned, router target mask."""
        chosen, trained, mask = self._core.last_step()
        return {"chosen": chosen, "trained": trained, "mask": mask}

    @property
    def losses(self) -> np.ndarray:
        """Mean router loss of every optimiser step so far."""
        return self._core.losses()

    def expert_predictions(self, x: dict) -> list:
        """Each expert's predicted label for `x` (None for an expert that has learned nothing)."""
        return self._core.expert_predictions(x)

    def route(self, x: dict) -> int | None:
        """The expert the router would choose for `x`."""
        return self._core.route(x)

    @property
    def expert_sizes(self) -> list[int]:
        """Number of nodes of each expert tree."""
        return self._core.expert_sizes()

    @property
    def router_parameters(self) -> list[np.ndarray]:
        """The router's W1, b1, W2, b2, W3, b3 (float32; weights row-major, out × in)."""
        return self._core.router_parameters()

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self._core.__sizeof__()

    @classmethod
    def _unit_test_params(cls):
        yield {"n_experts": 3, "top_k": 2, "batch_size": 8, "hidden": (16, 8), "seed": 1}
        yield {"mode": "task", "hidden": (16, 8), "seed": 2}
