"""allauth's URLs (what `include("allauth.urls")` gives this site: accounts and
two-factor authentication, no social accounts), with the views of the two-factor
pages common to every method imported on their first request.

Those views (allauth.mfa.base.views) import allauth's WebAuthn flows, and with them
fido2 and cryptography's Rust bindings, ~11 MB in every app worker, although WebAuthn
is not among MFA_SUPPORTED_TYPES. The names and addresses are allauth's own
(test_memory.py compares them with allauth.urls).
"""

from django.urls import URLPattern, URLResolver, include, path

from chapterhouse.lib.lazyurls import lazy_view

_BASE = "allauth.mfa.base.views"


def _mfa() -> list[URLPattern | URLResolver]:
    # allauth.mfa.urls and allauth.mfa.base.urls, read when the URLconf is loaded
    # (as allauth does), not when this module is imported.
    from allauth.mfa import app_settings

    patterns: list[URLPattern | URLResolver] = [
        path("", lazy_view(f"{_BASE}.index"), name="mfa_index"),
        path("authenticate/", lazy_view(f"{_BASE}.authenticate"), name="mfa_authenticate"),
        path("reauthenticate/", lazy_view(f"{_BASE}.reauthenticate"),
             name="mfa_reauthenticate"),
    ]
    if app_settings._TRUST_STAGE_ENABLED:
        patterns.append(path("trust/", lazy_view(f"{_BASE}.trust"), name="mfa_trust"))
    if "totp" in app_settings.SUPPORTED_TYPES:
        patterns.append(path("totp/", include("allauth.mfa.totp.urls")))
    if "recovery_codes" in app_settings.SUPPORTED_TYPES:
        patterns.append(path("recovery-codes/", include("allauth.mfa.recovery_codes.urls")))
    if "webauthn" in app_settings.SUPPORTED_TYPES:
        patterns.append(path("webauthn/", include("allauth.mfa.webauthn.urls")))
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("allauth.account.urls")),
    path("2fa/", include(_mfa())),
]
