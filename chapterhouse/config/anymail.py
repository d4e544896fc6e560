"""Anymail's app, as `anymail.apps.AnymailBaseConfig` but without importing its checks
when the app loads: they import `anymail.utils`, and with it `requests` (~5 MB in
every app worker, which sends no email). The same two checks run, imported when
`manage.py check` (or migrate, or the test suite) runs them."""

from typing import Any

from django.apps import AppConfig
from django.core import checks


def check_deprecated_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from anymail.checks import check_deprecated_settings

    found: list[checks.CheckMessage] = check_deprecated_settings(app_configs, **kwargs)
    return found


def check_insecure_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from anymail.checks import check_insecure_settings

    found: list[checks.CheckMessage] = check_insecure_settings(app_configs, **kwargs)
    return found


class AnymailConfig(AppConfig):
    name = "anymail"
    verbose_name = "Anymail"

    def ready(self) -> None:
        checks.register(check_deprecated_settings)
        checks.register(check_insecure_settings)
