"""Who is acting, from where: set once per request (or job) and read by the audit log."""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ActorContext:
    ip_address: str | None = None
    request_id: str = ""
    via: str = "system"  # "web", "admin", "job", "command", "system"


_NOBODY = ActorContext()  # frozen, so sharing it as the default is safe
_current: ContextVar[ActorContext] = ContextVar("prudence_actor_context", default=_NOBODY)


def current() -> ActorContext:
    return _current.get()


@contextmanager
def acting(*, ip_address: str | None = None, request_id: str = "", via: str = "system"):
    token = _current.set(
        ActorContext(ip_address=ip_address, request_id=request_id or uuid.uuid4().hex, via=via)
    )
    try:
        yield _current.get()
    finally:
        _current.reset(token)
