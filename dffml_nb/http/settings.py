"""How a server behaves: its token, limits and CORS origins (one frozen value).

``Settings.for_host`` applies the security rules once, for the CLI and
``serve()`` alike: a random token when none is given, a non-loopback host
only with a token, no auth only on loopback.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field

MAX_BODY = 10 * 1024 * 1024  # 10 MiB
TIMEOUT = 60.0  # seconds a run may take before it is cancelled (504)


class SettingsError(ValueError):
    """Settings that would make an unsafe or impossible server; the message says what to change."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere, so it is not loopback
        return False


def new_token() -> str:
    """A random token (48 hex characters, as Jupyter makes)."""
    return secrets.token_hex(24)


@dataclass(frozen=True)
class Settings:
    """``token`` None means no auth (loopback only); ``timeout`` in seconds per run;
    ``max_body`` in bytes per request body; ``cors`` the origins allowed (none: CORS off)."""

    token: str | None = field(default_factory=new_token, repr=False)
    timeout: float = TIMEOUT
    max_body: int = MAX_BODY
    cors: tuple[str, ...] = ()

    @property
    def auth(self) -> bool:
        return self.token is not None

    @classmethod
    def for_host(
        cls,
        host: str,
        token: str | None = None,
        *,
        auth: bool = True,
        timeout: float = TIMEOUT,
        max_body: int = MAX_BODY,
        cors: tuple[str, ...] | list[str] = (),
    ) -> Settings:
        """Settings for a server on ``host``, refusing what would expose it."""
        if not auth:
            if token is not None:
                raise SettingsError("give a token or turn auth off, not both")
            if not is_loopback(host):
                raise SettingsError(
                    f"refusing to serve without auth on {host!r}: that host is reachable from "
                    "other machines; turning auth off is allowed on a loopback host only "
                    "(127.0.0.1, ::1, localhost)"
                )
        elif token is None:
            if not is_loopback(host):
                raise SettingsError(
                    f"refusing to serve on {host!r} without a token you chose: that host is "
                    "reachable from other machines; give one (-token T, or token=...)"
                )
            token = new_token()
        elif not token or not token.isascii() or not token.isprintable() or " " in token:
            raise SettingsError("the token must be non-empty printable ASCII without spaces")
        if not timeout > 0:
            raise SettingsError(f"the timeout must be a positive number of seconds, not {timeout}")
        if not max_body > 0:
            raise SettingsError(
                f"the body limit must be a positive number of bytes, not {max_body}"
            )
        return cls(
            token=token if auth else None, timeout=timeout, max_body=max_body, cors=tuple(cors)
        )
