"""The quick start: SQLite under var/, tasks inline, DEBUG on."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)

# The quick start keeps its database, locks and generated files under var/ (not in git): a
# fresh clone has no such folder yet.
VAR_DIR.mkdir(exist_ok=True)
