"""Who is behind a service call: a person, or a process (the worker, the command line)."""

from __future__ import annotations

from dataclasses import dataclass

from publisher.core.models import User


@dataclass(frozen=True)
class Actor:
    """The person (or process) behind a service call, and how they reached us."""

    user: User | None
    via: str  # "cli", "api-token:12", "web", "worker"
    ip: str | None = None

    @property
    def name(self) -> str:
        return self.user.name if self.user else self.via

    @classmethod
    def system(cls, via: str) -> Actor:
        return cls(user=None, via=via)
