"""The signed-in employee's home page: who they are, where they sit, who works with them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.organisation.models import Employee, Role
from tandem.organisation.roles import ROLE_CAPABILITIES
from tandem.organisation.selectors import (
    colleague_list,
    grant_list_for_employee,
    node_ancestors,
    subtree_counts,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    employee = (
        Employee.objects.select_related("user", "node").filter(user_id=request.user.pk or 0).first()
    )
    context: dict[str, object] = {"employee": employee, "actor": actor}
    if employee is not None:
        grants = list(grant_list_for_employee(employee=employee))
        roles = sorted({grant.role for grant in grants}, key=list(Role.values).index)
        context.update(
            {
                "ancestors": node_ancestors(node=employee.node),
                "colleagues": list(colleague_list(employee=employee)),
                "grants": [
                    {"grant": grant, "counts": subtree_counts(node=grant.node)} for grant in grants
                ],
                "capabilities": [
                    (Role(role).label, ROLE_CAPABILITIES.get(role, ())) for role in roles
                ],
            }
        )
    return render(request, "organisation/home.html", context)
