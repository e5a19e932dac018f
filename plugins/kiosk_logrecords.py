"""Log records that travel from a forked worker to the build's process.

kiosk_readcache's read workers and kiosk_incremental's render helper log as
the build would, but in another process. Each keeps its records as
:func:`portable` dicts, sends them back, and the build's process
:func:`replay`\\ s them through its own loggers, filters and handlers, so a
warning is counted (and Pelican's duplicate filter applies) exactly as in a
build that did everything in one process.
"""

import logging
import pickle
from contextlib import suppress

from pelican.log import FilteredMessage

_SIMPLE = (str, int, float, bool, type(None))


def portable(record: logging.LogRecord) -> dict:
    """The record's attributes, picklable, without changing the message it prints."""
    state = dict(record.__dict__)
    if state.get("exc_info"):
        if not state.get("exc_text"):
            state["exc_text"] = logging.Formatter().formatException(state["exc_info"])
        state["exc_info"] = None
    args = state.get("args")
    values = args.values() if isinstance(args, dict) else (args or ())
    if not isinstance(state.get("msg"), str) or not all(isinstance(v, _SIMPLE) for v in values):
        state["msg"], state["args"] = record.getMessage(), None
    for name, value in list(state.items()):
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - an extra attribute that cannot travel is dropped
            del state[name]
    return state


class Capture(logging.Handler):
    """A handler that keeps every record it gets as a :func:`portable` dict in ``records``."""

    def __init__(self):
        super().__init__(logging.NOTSET)
        self.records = []

    def emit(self, record):
        self.records.append(portable(record))


def replay(records) -> None:
    """Log ``records`` here, through this process's loggers, filters and handlers."""
    for state in records:
        record = logging.makeLogRecord(state)
        with suppress(FilteredMessage):
            logging.getLogger(record.name).handle(record)
