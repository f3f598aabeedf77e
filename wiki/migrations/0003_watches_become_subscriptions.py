"""Page watches become subscriptions (watching, weekly digest): one way to follow anything."""

from typing import Any

from django.db import migrations


def watches_to_subscriptions(apps: Any, schema_editor: Any) -> None:
    Watch = apps.get_model("wiki", "Watch")
    Subscription = apps.get_model("notices", "Subscription")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type, _ = ContentType.objects.get_or_create(app_label="wiki", model="wikipage")
    followed = set(
        Subscription.objects.filter(target_type=page_type).values_list("member_id", "target_id")
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                member_id=watch.member_id,
                target_type=page_type,
                target_id=watch.page_id,
                level="watching",
                delivery="weekly",
                created_at=watch.created_at,
            )
            for watch in Watch.objects.all()
            if (watch.member_id, watch.page_id) not in followed
        ]
    )


def subscriptions_to_watches(apps: Any, schema_editor: Any) -> None:
    Watch = apps.get_model("wiki", "Watch")
    Subscription = apps.get_model("notices", "Subscription")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type = ContentType.objects.filter(app_label="wiki", model="wikipage").first()
    if page_type is None:
        return
    rows = Subscription.objects.filter(target_type=page_type, level="watching")
    Watch.objects.bulk_create(
        [Watch(member_id=row.member_id, page_id=row.target_id) for row in rows], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("wiki", "0002_content_removal"),
        ("notices", "0002_subscriptions_and_mail_preferences"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(watches_to_subscriptions, subscriptions_to_watches),
        migrations.DeleteModel(name="Watch"),
    ]
