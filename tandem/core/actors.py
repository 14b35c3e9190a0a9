"""Who is acting, and over which part of the organisation tree.

An ``Actor`` is resolved once per request (``tandem.organisation.middleware``) or once per command,
and passed explicitly to every service, selector and access helper. It is a plain value: the
roles granted to an employee, each on a node of the tree identified by its materialised path
(``/1/4/17/``), covering that node's whole subtree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q


@dataclass(frozen=True)
class Grant:
    role: str
    node_id: int
    path: str


T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    employee_id: int | None = None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = ()
    # The legal entities (regional banks) whose customer data the grants reach.
    regional_bank_ids: frozenset[int] = field(default_factory=frozenset)
    # Facts about the actor read from the database once for its whole life (a request, a
    # command): see ``remember``. Not part of the value.
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for, the same value afterwards (e.g. the
        teams an employee belongs to, which a page asks for once per query it builds)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, role: str, *, path: str | None = None) -> bool:
        """True when ``role`` is granted anywhere, or on ``path`` or one of its ancestors."""
        if self.is_superuser:
            return True
        return any(
            grant.role == role and (path is None or path.startswith(grant.path))
            for grant in self.grants
        )

    def scope_paths(self, roles: Iterable[str] | None = None) -> tuple[str, ...]:
        """The minimal set of subtree roots covered by the grants of ``roles`` (all if None)."""
        wanted = set(roles) if roles is not None else None
        paths = sorted({g.path for g in self.grants if wanted is None or g.role in wanted}, key=len)
        minimal: list[str] = []
        for path in paths:
            if not any(path.startswith(root) for root in minimal):
                minimal.append(path)
        return tuple(sorted(minimal))

    def covers(self, path: str, roles: Iterable[str] | None = None) -> bool:
        if self.is_superuser:
            return True
        return any(path.startswith(root) for root in self.scope_paths(roles))

    def scope_q(self, field_name: str = "path", roles: Iterable[str] | None = None) -> Q:
        """A filter keeping rows whose ``field_name`` (a node path) lies in the actor's scope."""
        if self.is_superuser:
            return Q()
        roots = self.scope_paths(roles)
        if not roots:
            return Q(pk__in=[])
        condition = Q()
        for root in roots:
            condition |= Q(**{f"{field_name}__startswith": root})
        return condition


ANONYMOUS = Actor(user_id=None)
