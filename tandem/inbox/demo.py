"""Demo set-up of the inbox: teams, presence, service levels, answers, social accounts."""

from __future__ import annotations

from django.db import transaction

from tandem.connectors.models import SocialAccount
from tandem.connectors.services import account_connect
from tandem.core.actors import Actor
from tandem.inbox.models import AgentState, CannedAnswer, Presence, SlaPolicy, Team, TeamKind
from tandem.organisation.models import Employee, Node, NodeKind, Role, RoleGrant

OPERATOR = Actor(user_id=None, is_superuser=True)

# Page and account ids of the demo are fictional, in Meta's formats.
REGIONAL_PAGE_BASE = 104_857_392_817_000
BRANCH_PAGE_BASE = 204_857_392_817_000
INSTAGRAM_BASE = 17_841_400_000_000_000
WHATSAPP_BASE = 106_540_352_242_000

ANSWERS = (
    (
        "Bienvenue",
        (
            "Bonjour {prenom_client}, je suis {conseiller}, de l'agence {agence}. "
            "Comment puis-je vous aider ?"
        ),
        "",
        "",
    ),
    (
        "Carte perdue ou volée",
        (
            "Bonjour {prenom_client}, faites opposition tout de suite depuis l'application "
            "(Cartes > Faire opposition) ou au 09 69 39 99 98, 24 h/24. Je reste disponible ici "
            "pour la suite."
        ),
        "card_lost",
        "",
    ),
    (
        "Rendez-vous en agence",
        (
            "Je vous propose un rendez-vous à l'agence {agence} ({adresse_agence}). Vous pouvez "
            "aussi le prendre dans l'application, rubrique Rendez-vous."
        ),
        "appointment",
        "",
    ),
    (
        "Données sensibles",
        (
            "Pour votre sécurité, n'écrivez jamais vos numéros de compte, de carte ni vos codes "
            "ici. Retrouvons-nous dans l'espace sécurisé de l'application."
        ),
        "",
        "",
    ),
    (
        "Relance WhatsApp (modèle)",
        (
            "Bonjour {prenom_client}, {conseiller} de l'agence {agence} revient vers vous au sujet "
            "de votre demande."
        ),
        "",
        "relance_conseiller_v1",
    ),
)


@transaction.atomic
def seed_inbox_demo() -> dict[str, int]:
    """Create teams, agent states, policies, answers and accounts for the demo group."""
    if Team.objects.exists():
        return {}
    for priority, first, nxt, resolution, warning in (
        ("urgent", 15, 15, 240, 5),
        ("high", 60, 60, 480, 15),
        ("normal", 240, 240, 960, 30),
        ("low", 480, 480, 2400, 60),
    ):
        SlaPolicy.objects.create(
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
            warning_minutes=warning,
        )
    for title, body, topic, template in ANSWERS:
        CannedAnswer.objects.create(title=title, body=body, topic=topic, whatsapp_template=template)
    teams = 0
    accounts = 0
    for regional_bank in Node.objects.filter(kind=NodeKind.REGIONAL_BANK).order_by("code"):
        staff = Employee.objects.filter(node=regional_bank, is_active=True)
        specs = (
            (TeamKind.URGENT, "Centre 24/7", [e for e in staff if "24/7" in e.job_title], True),
            (
                TeamKind.COMPLAINTS,
                "Service réclamations",
                [e for e in staff if "réclamations" in e.job_title],
                False,
            ),
            (
                TeamKind.RECRUITING,
                "Recrutement",
                list(staff.filter(grants__role=Role.RECRUITER)),
                False,
            ),
            (
                TeamKind.COMMUNITY,
                "Community managers",
                list(staff.filter(grants__role=Role.COMMUNITY_MANAGER)),
                False,
            ),
            (
                TeamKind.REGIONAL_POOL,
                "Pool régional",
                [e for e in staff if "24/7" in e.job_title or "réclamations" in e.job_title],
                False,
            ),
        )
        for kind, name, members, always_open in specs:
            team = Team.objects.create(
                regional_bank=regional_bank,
                node=regional_bank,
                kind=kind,
                name=f"{name} — {regional_bank.name}",
                always_open=always_open,
            )
            team.members.set(members)
            teams += 1
        for branch in Node.objects.filter(regional_bank=regional_bank, kind=NodeKind.BRANCH):
            team = Team.objects.create(
                regional_bank=regional_bank,
                node=branch,
                kind=TeamKind.BRANCH,
                name=f"Équipe {branch.name}",
            )
            team.members.set(
                Employee.objects.filter(
                    node=branch,
                    is_active=True,
                    grants__role__in=[Role.ADVISOR, Role.BRANCH_MANAGER],
                ).distinct()
            )
            teams += 1
        index = int(regional_bank.pk)
        for platform, external_id, name, handle in (
            (
                "facebook",
                REGIONAL_PAGE_BASE + index,
                regional_bank.name,
                regional_bank.name.replace(" ", ""),
            ),
            (
                "instagram",
                INSTAGRAM_BASE + index,
                f"{regional_bank.name} (Instagram)",
                regional_bank.code.lower(),
            ),
            (
                "whatsapp",
                WHATSAPP_BASE + index,
                f"{regional_bank.name} (WhatsApp)",
                f"+33 9 70 {index:02d} 00 00"[:20],
            ),
        ):
            account_connect(
                actor=OPERATOR,
                platform=platform,
                external_id=str(external_id),
                owner=regional_bank,
                token=f"demo-token-{platform}-{external_id}",
                name=name,
                handle=handle,
            )
            accounts += 1
        for branch in Node.objects.filter(regional_bank=regional_bank, kind=NodeKind.BRANCH):
            account_connect(
                actor=OPERATOR,
                platform="facebook",
                external_id=str(BRANCH_PAGE_BASE + int(branch.pk)),
                owner=branch,
                token=f"demo-token-branch-{branch.pk}",
                name=branch.name,
                handle=branch.name.replace(" ", ""),
            )
            accounts += 1
    advisors = (
        RoleGrant.objects.filter(
            role__in=[Role.ADVISOR, Role.BRANCH_MANAGER, Role.COMMUNITY_MANAGER, Role.RECRUITER]
        )
        .values_list("employee_id", flat=True)
        .distinct()
    )
    AgentState.objects.bulk_create(
        [AgentState(employee_id=pk, presence=Presence.AVAILABLE, capacity=8) for pk in advisors],
        ignore_conflicts=True,
    )
    return {
        "teams": teams,
        "accounts": accounts,
        "agents": AgentState.objects.count(),
        "social_accounts": SocialAccount.objects.count(),
    }
