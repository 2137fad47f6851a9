"""Logging for the server and the worker: readable lines on a terminal, JSON for collectors.

`O2C_LOG_FORMAT=json` writes one JSON object per line with the time, level, logger,
message, the request id of the HTTP request being served (or the job being run) and any
structured fields a call passes in `extra`; the default `text` writes one readable line.
Both carry the request id, so a line in the log finds its request and the other way round.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from o2c.kernel.masking import STARS, is_secret_name, mask_document, mask_text
from o2c.kernel.request_id import request_id_var

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request (or job) the thread is working on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class SensitiveDataFilter(logging.Filter):
    """Masks what must never reach a log: IBANs, card numbers, argon2 hashes and the values
    of secret-named fields (password, secret, token, api_key, authorization), in the message,
    in the `extra` fields and in the traceback of every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = mask_text(record.getMessage()), None
        for name, value in list(vars(record).items()):
            if name in _STANDARD or name.startswith("_"):
                continue
            setattr(record, name, STARS if is_secret_name(name) else mask_document(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: stable keys first, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            document["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                document[name] = value
        if record.exc_info:
            document["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(document, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message`, plus the traceback when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(rid)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.rid = f" [{request_id}]" if request_id else ""
        return super().format(record)


def log_handler(log_format: str, stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SensitiveDataFilter())
    return handler


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Route o2c's and uvicorn's loggers through one handler in the chosen format.

    Called by `o2c serve` and `o2c worker` at start (and by each server process), never at
    import, so tests and library users keep their own logging.
    """
    handler = log_handler(log_format)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_o2c", False)]:
        root.removeHandler(old)
    handler._o2c = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # o2c.http logs each request with its id, route and duration; uvicorn's line would repeat it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


UVICORN_LOG_CONFIG: dict[str, Any] = {"version": 1, "disable_existing_loggers": False}
"""Handed to uvicorn so that it leaves the logging configured above alone."""
