"""Example counts for the property tests, following the hypothesis profile in use.

The profiles are registered in tests/conftest.py: `ci` runs every count as the test names
it, the local default a quarter of it.
"""

from hypothesis import settings


def eksempler(ci: int) -> int:
    """Return how many examples to run of a test that runs `ci` in CI (profile `ci`)."""
    return max(min(ci, 10), ci * settings().max_examples // 100)
