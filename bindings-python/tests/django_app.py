"""A Django project for the tests: settings as in production (CSRF checks on, common
middleware) and one URL configuration the tests fill in (``urlpatterns``)."""

from __future__ import annotations

from typing import Any

import django
from django.conf import settings

if not settings.configured:  # pragma: no branch - once per test process
    settings.configure(
        DEBUG=False,
        SECRET_KEY="test-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        INSTALLED_APPS=[],
        LOGGING_CONFIG=None,
    )
django.setup()

urlpatterns: list[Any] = []
