"""What each role may do, in words an employee understands (shown on the home page)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.organisation.models import Role

ROLE_CAPABILITIES: dict[str, tuple[Promise, ...]] = {
    Role.ADVISOR: (
        _("Answer your own customers and your branch's conversations"),
        _("Share approved content on your own profiles"),
        _("Follow the social-media training and charter"),
    ),
    Role.BRANCH_MANAGER: (
        _("Watch your branch's inbox and reassign conversations"),
        _("Follow your team's adoption and coach them"),
    ),
    Role.COMMUNITY_MANAGER: (
        _("Handle the conversations no branch owns"),
        _("Moderate public comments"),
        _("Prepare and publish posts"),
    ),
    Role.COMPLIANCE_OFFICER: (
        _("Approve promotional posts and review flagged replies"),
        _("Own the wording rules"),
        _("Search and export the audit trail"),
    ),
    Role.RECRUITER: (
        _("Publish job offers"),
        _("Answer candidates"),
    ),
    Role.PROGRAMME_LEAD: (_("Follow the partnership's workstreams, projects and indicators"),),
    Role.ADMINISTRATOR: (
        _("Manage the organisation, its employees and their roles"),
        _("Connect social accounts and their tokens"),
    ),
}
