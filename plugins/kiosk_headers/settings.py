"""``HEADERS``: kiosk_headers' one settings dict, its defaults and its checks."""

import re
from types import MappingProxyType
from urllib.parse import urlsplit

from kiosk_settings import given_settings

# A double quote or a line break would end an Apache directive early, or let a
# value smuggle in a second header.
APACHE_UNSAFE = re.compile(r'["\r\n]')

DEFAULT_CSP = MappingProxyType(
    {
        "default-src": "'self'",
        # No inline script anywhere: JSON-LD blocks are data, which CSP does not
        # govern. 'wasm-unsafe-eval' lets Pagefind compile its WebAssembly index;
        # it does not allow eval() of JavaScript.
        "script-src": "'self' 'wasm-unsafe-eval'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "upgrade-insecure-requests": "",
    }
)

DEFAULTS = MappingProxyType(
    {
        # Development builds are served by `invoke serve`, which ignores these files.
        "enabled": False,
        # Directive -> sources, merged over DEFAULT_CSP; None drops a directive.
        "csp": {},
        "referrer_policy": "strict-origin-when-cross-origin",
        "permissions_policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        # Two years, the minimum the HSTS preload list asks for; sent only over https.
        "hsts": "max-age=63072000; includeSubDomains",
        # Only assets whose name carries a content hash may be cached forever:
        # a new version gets a new name (kiosk_publish fingerprints them).
        "fingerprint_pattern": r"\.[0-9a-f]{8}\.(css|js)$",
        "immutable_cache": "public, max-age=31536000, immutable",
    }
)


def headers_settings(settings):
    """``HEADERS`` merged over DEFAULTS as a new dict, plus ``https`` from SITEURL.

    Raises ValueError on an unknown key or a value no host could send.
    """
    given = dict(given_settings(settings, "HEADERS", DEFAULTS))
    config = {**DEFAULTS, **given, "csp": {**DEFAULT_CSP, **given.get("csp", {})}}
    for key, value in [*config.items(), *config["csp"].items()]:
        if isinstance(value, str) and APACHE_UNSAFE.search(value):
            raise ValueError(f"HEADERS: {key} contains a double quote or a line break")
    re.compile(config["fingerprint_pattern"])
    config["https"] = str(settings.get("SITEURL") or "").startswith("https://")
    # The newsletter box posts to the mailing provider: the policy lets it.
    origin = newsletter_origin(settings)
    form_action = config["csp"].get("form-action")
    if origin and form_action is not None and origin not in form_action.split():
        config["csp"]["form-action"] = f"{form_action} {origin}".strip()
    return config


def newsletter_origin(settings) -> str | None:
    """The origin of ``NEWSLETTER["action"]``, the sign-up form's address, if there is one.

    A static host answers no POST, so the form goes to the mailing provider's
    sign-up address: an absolute https URL. Raises ValueError otherwise.
    """
    action = (settings.get("NEWSLETTER") or {}).get("action")
    if not action:
        return None
    parts = urlsplit(str(action))
    if parts.scheme != "https" or not parts.hostname or APACHE_UNSAFE.search(str(action)):
        raise ValueError(
            f"NEWSLETTER: action must be the https address of the mailing provider's "
            f"sign-up form (it receives the address by POST), not {action!r}"
        )
    return f"https://{parts.netloc}"
