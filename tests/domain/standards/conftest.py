"""Keep these pure-domain tests runnable without Django (``pytest -p no:django``).

tests/conftest.py has an autouse fixture that needs pytest-django's ``settings``; overriding it
here by name turns it into a no-op for this folder only.
"""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    """No passwords are hashed in these tests."""
