"""The generators (see the package docstring)."""

from __future__ import annotations

import random
import typing

import numpy as np
from river.datasets import base

from rapidriver import _core

__all__ = ["LED", "SEA", "ConceptDriftStream", "LEDDrift", "RandomRBF", "RandomRBFDrift"]

_CHUNK = 4096


def _seed(seed: int | None, name: str = "seed") -> int:
    """A concrete seed: river's `None` (fresh randomness) becomes a random one here."""
    if seed is None:
        return random.SystemRandom().randrange(2**32)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        raise ValueError(f"`{name}` must be None or a non-negative int, got {seed!r}")
    return seed


class RustStream(base.SyntheticDataset):
    """Base class: a river dataset whose samples come from a Rust generator."""

    def _make(self) -> _core.Stream:
        raise NotImplementedError

    def _label(self, y: int) -> typing.Any:
        return y

    def arrays(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The first `n` samples as `(X, y)`: float64 `n × n_features`, int64 labels."""
        return self._make().take(n)

    def __iter__(self):
        stream = self._make()
        label = self._label
        while True:
            X, y = stream.take(_CHUNK)
            for row, target in zip(X.tolist(), y.tolist(), strict=True):
                yield dict(enumerate(row)), label(target)


class SEA(RustStream):
    """SEA concepts (river's `synth.SEA`): three uniform features in [0, 10), the label is
    whether the first two sum above the variant's threshold (8, 9, 7, 9.5); `noise` flips it.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> ours = list(datasets.SEA(variant=1, noise=0.1, seed=3).take(5))
    >>> ours == list(synth.SEA(variant=1, noise=0.1, seed=3).take(5))
    True
    """

    def __init__(self, variant: int = 0, noise: float = 0.0, seed: int | None = None):
        super().__init__(n_features=3, task=base.BINARY_CLF)
        self.variant = variant
        self.noise = noise
        self.seed = seed
        self._seed = _seed(seed)
        self._make()

    def _make(self):
        return _core.Stream.sea(self.variant, self.noise, self._seed)

    def _label(self, y: int) -> bool:
        return bool(y)


class LEDDrift(RustStream):
    """LED digits with drifting attributes (river's `synth.LEDDrift`): seven segments, each
    flipped with probability `noise_percentage`; with `irrelevant_features`, 17 random bits,
    `n_drift_features` of which trade places with relevant segments.

    Parameters
    ----------
    random_swap
        Where the drifting segments go. With True (river's rule), the first relevant segment
        and the first irrelevant attribute to swap are drawn from the seed. With False (MOA's
        `LEDGeneratorDrift`, which the DriftMoE paper's streams use), segment `i` always trades
        places with attribute `7 + i`, so concepts with 1, 3, 5 and 7 drifting attributes share
        their swaps and each drift moves only the segments it adds.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> ours = datasets.LEDDrift(seed=1, noise_percentage=0.1, irrelevant_features=True,
    ...                          n_drift_features=4)
    >>> theirs = synth.LEDDrift(seed=1, noise_percentage=0.1, irrelevant_features=True,
    ...                         n_drift_features=4)
    >>> list(ours.take(20)) == list(theirs.take(20))
    True
    """

    def __init__(
        self,
        seed: int | None = None,
        noise_percentage: float = 0.0,
        irrelevant_features: bool = False,
        n_drift_features: int = 0,
        random_swap: bool = True,
    ):
        if not isinstance(random_swap, bool):
            raise TypeError(f"random_swap must be a bool, got {random_swap!r}")
        super().__init__(
            n_features=24 if irrelevant_features else 7, n_classes=10, task=base.MULTI_CLF
        )
        self.seed = seed
        self.noise_percentage = noise_percentage
        self.irrelevant_features = irrelevant_features
        self.n_drift_features = n_drift_features
        self.random_swap = random_swap
        self._seed = _seed(seed)
        self._make()

    def _make(self):
        return _core.Stream.led(
            self.noise_percentage,
            self.irrelevant_features,
            self.n_drift_features,
            self.random_swap,
            self._seed,
        )

    def __iter__(self):
        # river yields the segments as ints.
        for x, y in super().__iter__():
            yield {k: int(v) for k, v in x.items()}, y


class LED(LEDDrift):
    """LED digits (river's `synth.LED`): `LEDDrift` without drifting attributes.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> ours = datasets.LED(seed=2, noise_percentage=0.1, irrelevant_features=True)
    >>> list(ours.take(10)) == list(synth.LED(seed=2, noise_percentage=0.1,
    ...                                       irrelevant_features=True).take(10))
    True
    """

    def __init__(
        self,
        seed: int | None = None,
        noise_percentage: float = 0.0,
        irrelevant_features: bool = False,
    ):
        super().__init__(
            seed=seed,
            noise_percentage=noise_percentage,
            irrelevant_features=irrelevant_features,
            n_drift_features=0,
        )

    def _get_params(self):
        params = super()._get_params()
        params.pop("n_drift_features", None)
        params.pop("random_swap", None)
        return params


class RandomRBFDrift(RustStream):
    """Random RBF with drifting centroids (river's `synth.RandomRBFDrift`): samples around
    `n_centroids` random centres, the first `n_drift_centroids` of which move at `change_speed`
    per sample, bouncing off the unit cube.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> kw = dict(seed_model=4, seed_sample=5, n_classes=3, n_features=4, change_speed=1e-3)
    >>> ours = list(datasets.RandomRBFDrift(**kw).take(50))
    >>> theirs = list(synth.RandomRBFDrift(**kw).take(50))
    >>> ours == theirs
    True
    """

    def __init__(
        self,
        seed_model: int | None = None,
        seed_sample: int | None = None,
        n_classes: int = 2,
        n_features: int = 10,
        n_centroids: int = 50,
        change_speed: float = 0.0,
        n_drift_centroids: int = 50,
    ):
        super().__init__(n_features=n_features, n_classes=n_classes, task=base.MULTI_CLF)
        self.seed_model = seed_model
        self.seed_sample = seed_sample
        self.n_classes = n_classes
        self.n_centroids = n_centroids
        self.change_speed = change_speed
        self.n_drift_centroids = n_drift_centroids
        self._seeds = (_seed(seed_model, "seed_model"), _seed(seed_sample, "seed_sample"))
        self._make()

    def _make(self):
        return _core.Stream.rbf(
            self._seeds[0],
            self._seeds[1],
            self.n_classes,
            self.n_features,
            self.n_centroids,
            self.change_speed,
            self.n_drift_centroids,
        )


class RandomRBF(RandomRBFDrift):
    """Random RBF without drift (river's `synth.RandomRBF`).

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> ours = list(datasets.RandomRBF(seed_model=1, seed_sample=2).take(20))
    >>> ours == list(synth.RandomRBF(seed_model=1, seed_sample=2).take(20))
    True
    """

    def __init__(
        self,
        seed_model: int | None = None,
        seed_sample: int | None = None,
        n_classes: int = 2,
        n_features: int = 10,
        n_centroids: int = 50,
    ):
        super().__init__(
            seed_model=seed_model,
            seed_sample=seed_sample,
            n_classes=n_classes,
            n_features=n_features,
            n_centroids=n_centroids,
            change_speed=0.0,
            n_drift_centroids=0,
        )

    def _get_params(self):
        params = super()._get_params()
        params.pop("change_speed", None)
        params.pop("n_drift_centroids", None)
        return params


class ConceptDriftStream(RustStream):
    """MOA's concept drift (river's `synth.ConceptDriftStream`): at the t-th sample the
    `drift_stream` is drawn with probability `1 / (1 + exp(-4 (t - position) / width))`. Both
    streams must be `rapidriver.datasets` streams; nest them for several drifts.

    Unlike river's, a sharp drift (small `width`) far from `position` does not overflow.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from rapidriver import datasets
    >>> ours = datasets.ConceptDriftStream(datasets.SEA(seed=1), datasets.SEA(variant=2, seed=2),
    ...                                    position=100, width=20, seed=3)
    >>> theirs = synth.ConceptDriftStream(synth.SEA(seed=1), synth.SEA(variant=2, seed=2),
    ...                                   position=100, width=20, seed=3)
    >>> list(ours.take(300)) == list(theirs.take(300))
    True
    """

    def __init__(
        self,
        stream: RustStream | None = None,
        drift_stream: RustStream | None = None,
        position: int = 5000,
        width: int = 1000,
        seed: int | None = None,
    ):
        stream = SEA(seed=seed) if stream is None else stream
        drift_stream = SEA(variant=2, seed=seed) if drift_stream is None else drift_stream
        for name, s in (("stream", stream), ("drift_stream", drift_stream)):
            if not isinstance(s, RustStream):
                raise TypeError(
                    f"`{name}` must be a rapidriver.datasets stream, got {type(s).__name__}"
                )
        super().__init__(
            n_features=stream.n_features,
            n_classes=stream.n_classes,
            task=stream.task,
        )
        self.stream = stream
        self.drift_stream = drift_stream
        self.position = position
        self.width = width
        self.seed = seed
        self._seed = _seed(seed)
        self._make()

    def _make(self):
        return _core.Stream.drift(
            self.stream._make(), self.drift_stream._make(), self.position, self.width, self._seed
        )

    def _label(self, y: int) -> typing.Any:
        return self.stream._label(y)
