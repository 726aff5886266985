"""Who is acting: an id that goes into the audit log and the role the policy judges."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: str
    role: str


LOCAL_OPERATOR = Actor(id="local-operator", role="owner")
SYSTEM = Actor(id="system", role="owner")
