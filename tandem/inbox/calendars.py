"""Calendars of nodes and employees from the database, cached for one routing pass."""

from __future__ import annotations

from datetime import date, datetime

from tandem.inbox import hours
from tandem.organisation.models import Employee, Holiday, Node


class CalendarBook:
    """Builds and remembers calendars: holidays of a node are those of its whole ancestry."""

    def __init__(self) -> None:
        self._holidays: dict[str, frozenset[date]] = {}
        self._calendars: dict[tuple[int, int | None], hours.Calendar] = {}

    def holidays(self, node: Node) -> frozenset[date]:
        if node.path not in self._holidays:
            self._holidays[node.path] = frozenset(
                Holiday.objects.filter(node_id__in=node.ancestor_ids()).values_list(
                    "date", flat=True
                )
            )
        return self._holidays[node.path]

    def node_calendar(self, node: Node) -> hours.Calendar:
        key = (node.pk, None)
        if key not in self._calendars:
            self._calendars[key] = _safe(
                lambda: hours.make_calendar(node.opening_hours, node.timezone, self.holidays(node))
            )
        return self._calendars[key]

    def employee_calendar(self, employee: Employee) -> hours.Calendar:
        key = (employee.node_id, employee.pk)
        if key not in self._calendars:
            node = employee.node
            self._calendars[key] = _safe(
                lambda: hours.employee_calendar(
                    node.opening_hours, employee.working_hours, node.timezone, self.holidays(node)
                )
            )
        return self._calendars[key]

    def node_open(self, node: Node, at: datetime) -> bool:
        return hours.is_open(self.node_calendar(node), at)

    def employee_working(self, employee: Employee, at: datetime) -> bool:
        return hours.is_open(self.employee_calendar(employee), at)


def _safe(build: object) -> hours.Calendar:
    """Malformed hours make a node closed rather than break routing (admins see the error
    when they save the hours)."""
    try:
        return build()  # type: ignore[operator]
    except ValueError:
        return hours.make_calendar({}, "Europe/Paris")
