"""Log lines: their level and shape (plain text or one JSON object a line), set at start."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TextIO

from bot.settings import SettingsError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Whuffie's own loggers; `-v` shows their debug lines, never the libraries' (which can be
# very chatty, and print whole requests).
OWN_LOGGERS = ("bot", "adapters", "matching", "whuffie")


class JsonLines(logging.Formatter):
    """One JSON object a line, for log collectors: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "").strip() or default
    if raw.upper() in allowed:
        return raw.upper()
    if raw.lower() in allowed:
        return raw.lower()
    raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")


def configure_logging(env: Mapping[str, str], stream: TextIO, *, verbose: bool = False) -> None:
    """Set up logging from WHUFFIE_LOG_LEVEL (default INFO) and WHUFFIE_LOG_FORMAT (text/json)."""
    level = _choice(env, "WHUFFIE_LOG_LEVEL", LEVELS, "INFO")
    shape = _choice(env, "WHUFFIE_LOG_FORMAT", FORMATS, "text")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines() if shape == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic says which engine it found at every start: noise outside a debugging session.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel("DEBUG" if verbose else logging.NOTSET)
