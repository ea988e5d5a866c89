from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def forget_login_attempts(db: None) -> None:
    # Login throttling counts attempts in the (database) cache; each test starts from zero.
    cache.clear()
