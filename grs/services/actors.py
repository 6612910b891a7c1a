"""Who is acting: a staff user, the citizen through a channel, or the system itself."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The author of an event; `user_id` is set for staff, `label` always."""

    label: str
    user_id: int | None = None
    role: str | None = None

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(label=f"user:{user.id}", user_id=user.id, role=user.role)

    @classmethod
    def citizen(cls, channel: str) -> "Actor":
        return cls(label=f"citizen:{channel}")

    @classmethod
    def system(cls, job: str = "system") -> "Actor":
        return cls(label=job)

    @property
    def is_citizen(self) -> bool:
        return self.label.startswith("citizen")

    @property
    def is_system(self) -> bool:
        return self.user_id is None and not self.is_citizen
