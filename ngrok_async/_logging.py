"""``NGROK_LOG=debug|info``: the ``ngrok_async`` logger on stderr, API keys redacted."""

from __future__ import annotations

import logging
import os
import sys

from ._redact import redact_text

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _Redact(logging.Filter):
    """Replaces every registered API key in a record's final message with ``[redacted]``."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = redact_text(message, secret)
        record.msg, record.args = message, None
        return True


_handler: logging.Handler | None = None
_redact = _Redact()


def configure_from_env(api_key: str) -> None:
    """Honour ``NGROK_LOG`` (``debug`` or ``info``): attach one stderr handler to the
    ``ngrok_async`` logger, once per process, redacting ``api_key`` and every key seen before.
    Does nothing when the variable is unset; an unknown value is ignored."""
    global _handler
    level = _LEVELS.get(os.environ.get("NGROK_LOG", "").strip().lower())
    if level is None:
        return
    _redact.secrets.add(api_key)
    logger = logging.getLogger("ngrok_async")
    logger.setLevel(level)
    if _handler is None:
        _handler = logging.StreamHandler(sys.stderr)
        _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        _handler.addFilter(_redact)
        logger.addHandler(_handler)
