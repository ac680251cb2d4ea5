import pickle

import pytest


def state_of(policy) -> bytes:
    """The complete learned state of a rapidriver policy, as bytes (for equality checks)."""
    return pickle.dumps(policy._core)


@pytest.fixture
def state():
    return state_of


def _highs_optimum(path) -> float:
    """The optimal objective of the MIP in `path`, proved by HiGHS within 30 s."""
    import highspy

    from rapidriver.mip._highs_io import new_highs

    h = new_highs()
    h.readModel(str(path))
    h.setOptionValue("time_limit", 30.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


@pytest.fixture
def optimum():
    """A function giving a small MIP's optimal objective (HiGHS, for the MIP tests)."""
    return _highs_optimum
