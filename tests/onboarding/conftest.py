import pytest


@pytest.fixture(autouse=True)
def _no_second_factor_step(settings):
    """The site administrator signs straight in: setting up a second factor is another page's
    story (tests/accounts)."""
    settings.SECOND_FACTOR_REQUIRED = False
