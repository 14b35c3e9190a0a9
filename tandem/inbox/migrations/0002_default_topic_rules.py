"""The group's default topic rules, as editable rows (regional banks may add their own)."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from tandem.inbox.topics import default_rule_rows

    TopicRule = apps.get_model("inbox", "TopicRule")
    if TopicRule.objects.filter(regional_bank__isnull=True).exists():
        return
    TopicRule.objects.bulk_create(TopicRule(**row) for row in default_rule_rows())


def remove_defaults(apps, schema_editor):
    apps.get_model("inbox", "TopicRule").objects.filter(regional_bank__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
