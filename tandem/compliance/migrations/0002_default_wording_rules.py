"""The product's default French wording rules (``tandem/compliance/defaults.py``), as rows
without a node: every group, brand and regional bank inherits them and may replace them."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from tandem.compliance.defaults import default_rule_rows

    WordingRule = apps.get_model("compliance", "WordingRule")
    existing = set(
        WordingRule.objects.filter(node__isnull=True).values_list("name", flat=True)
    )
    WordingRule.objects.bulk_create(
        WordingRule(**row) for row in default_rule_rows() if row["name"] not in existing
    )


def remove_defaults(apps, schema_editor):
    from tandem.compliance.defaults import default_rule_rows

    names = [row["name"] for row in default_rule_rows()]
    apps.get_model("compliance", "WordingRule").objects.filter(
        node__isnull=True, name__in=names
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
