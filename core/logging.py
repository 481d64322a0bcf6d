"""Logging filters."""

import logging
import re

_QUERY = re.compile(r"\?[^ \"]*")


class StripQueryString(logging.Filter):
    """Drop query strings from request log lines: they can carry search terms (names, phones)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.args:
            record.args = tuple(
                _QUERY.sub("", a) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        elif isinstance(record.msg, str):
            record.msg = _QUERY.sub("", record.msg)
        return True
