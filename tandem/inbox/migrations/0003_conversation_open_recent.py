from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("inbox", "0002_default_topic_rules")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["regional_bank", "-last_message_at", "-id"],
                name="conversation_open_recent",
                include=[
                    "branch",
                    "assignee",
                    "team",
                    "updated_at",
                    "first_response_due_at",
                    "next_response_due_at",
                ],
                condition=Q(status__in=["open", "waiting"]),
            ),
        ),
    ]
