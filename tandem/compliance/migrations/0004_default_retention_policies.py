"""The group's default retention periods, one row per purpose, each with its legal basis.

Sources: ``research/compliance.md`` §4.2 (GDPR, CNIL), §4.3 (CMF L561-12), §4.4 (ACPR
2016-R-01), §4.9 (MiFID II record keeping) and ``research/meta-platform.md`` §1.4 (how long Meta
redelivers webhooks). The values are frozen here (a migration is history); officers override
them per regional bank on the "Retention" page.
"""

from django.db import migrations

DEFAULTS = (
    (
        "conversations",
        1827,  # five years, leap days included
        "5 ans après la dernière activité de la conversation. CMF art. L561-12 (LCB-FT : "
        "documents de la relation d'affaires conservés 5 ans après sa fin) ; directive "
        "2014/65/UE (MiFID II) art. 16(7) et règlement délégué (UE) 2017/565 art. 76 "
        "(communications électroniques : 5 ans, jusqu'à 7 ans à la demande de l'autorité) ; "
        "RGPD art. 5(1)(e). Prospects : la CNIL retient 3 ans après le dernier contact à leur "
        "initiative.",
    ),
    (
        "webhook_events",
        30,
        "30 jours. Copie technique brute des notifications de Meta : la boîte de réception en "
        "garde la version masquée. Meta renvoie une notification 36 h au plus (7 jours pour "
        "WhatsApp) ; au-delà, la clé d'idempotence ne protège plus rien. RGPD art. 5(1)(c) et "
        "5(1)(e).",
    ),
    (
        "outbound_calls",
        365,
        "1 an. Preuve technique d'envoi et de remise, pour les incidents et les réclamations "
        "(ACPR 2022-R-01 : réponse sous 2 mois) ; le texte envoyé reste dans la conversation. "
        "RGPD art. 5(1)(e).",
    ),
    (
        "audit",
        2557,  # seven years, leap days included
        "7 ans. Preuve des décisions (revues de conformité, liaisons, consultations) : MiFID II "
        "art. 16(6)-(7) et règlement délégué (UE) 2017/565 art. 72 et 76 (5 ans, jusqu'à 7 ans "
        "à la demande de l'autorité) ; CMF art. L561-12 (5 ans) ; recommandation ACPR 2016-R-01 "
        "(politique d'archivage). La purge ne réécrit jamais la chaîne : les segments échus "
        "sont archivés hors de Tandem.",
    ),
    (
        "recruiting",
        730,
        "2 ans après le dernier contact avec un candidat non retenu, sauf opposition : CNIL, "
        "référentiel relatif au recrutement (à confirmer : absent de la note de recherche).",
    ),
)


def create_defaults(apps, schema_editor):
    RetentionPolicy = apps.get_model("compliance", "RetentionPolicy")
    existing = set(
        RetentionPolicy.objects.filter(regional_bank__isnull=True).values_list(
            "purpose", flat=True
        )
    )
    RetentionPolicy.objects.bulk_create(
        RetentionPolicy(purpose=purpose, keep_days=days, legal_basis=basis)
        for purpose, days, basis in DEFAULTS
        if purpose not in existing
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("compliance", "RetentionPolicy").objects.filter(
        regional_bank__isnull=True, purpose__in=[purpose for purpose, _, _ in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_retentionpolicy")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
