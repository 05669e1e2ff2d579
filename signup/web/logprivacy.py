"""Keep personal data out of the log records that libraries write."""

from __future__ import annotations

import logging

#: Flask-Limiter logs "ratelimit <limit> (<key>) exceeded at endpoint: <scope>" at INFO; our
#: per-address limits have the address in the key.
LIMITER_LOGGER = "flask-limiter"
HIDDEN = "[key hidden]"


class HideLimitKeys(logging.Filter):
    """Replace the key of a rate-limit record (it may hold an address) with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and record.msg.startswith("ratelimit ")
            and isinstance(record.args, tuple)
            and len(record.args) == 3
        ):
            record.args = (record.args[0], HIDDEN, record.args[2])
        return True


def hide_personal_data_in_library_logs() -> None:
    """Install the filters once per process (a second app adds no second filter)."""
    logger = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(existing, HideLimitKeys) for existing in logger.filters):
        logger.addFilter(HideLimitKeys())
