"""Browser tests share the page tests' fixtures (the header's context processor)."""

from tests.ui.conftest import _aktoer_i_sidehovedet  # noqa: F401
