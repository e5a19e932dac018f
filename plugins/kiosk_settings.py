"""The one settings rule every Kiosk plugin follows (STYLE.md): a plugin reads
one dict from the Pelican settings, merged over its defaults, and a key it does
not know is a typo that fails the build instead of being silently ignored."""


def given_settings(settings, name, defaults):
    """Return the dict ``settings[name]`` (or {}) after refusing unknown keys."""
    given = settings.get(name) or {}
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ValueError(
            f"{name}: unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(defaults))}"
        )
    return given
