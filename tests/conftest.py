import pickle

import pytest


def state_of(policy) -> bytes:
    """The complete learned state of a rapidriver policy, as bytes (for equality checks)."""
    return pickle.dumps(policy._core)


@pytest.fixture
def state():
    return state_of
