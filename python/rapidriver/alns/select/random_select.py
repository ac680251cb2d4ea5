from __future__ import annotations

from typing import Any

from rapidriver.alns.select._base import RustScheme

__all__ = ["RandomSelect"]


class RandomSelect(RustScheme):
    """Uniform over the allowed (destroy, repair) pairs, as `alns.select.RandomSelect`.

    Examples
    --------
    >>> import numpy as np
    >>> from rapidriver.alns.select import RandomSelect
    >>> select = RandomSelect(2, 2, op_coupling=[[True, False], [False, True]])
    >>> rng = np.random.default_rng(0)
    >>> sorted({select(rng, None, None) for _ in range(50)})
    [(0, 0), (1, 1)]
    """

    _KIND = "random"

    def __init__(self, num_destroy: int, num_repair: int, op_coupling: Any = None):
        super().__init__(num_destroy, num_repair, op_coupling)
        self._build({})
