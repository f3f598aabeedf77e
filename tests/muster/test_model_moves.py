"""Models that moved between apps keep their tables and their rows (state-only migrations)."""

from collections.abc import Sequence

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notices.models import EmailDelivery, Notification, Subscription
from saved.models import SavedItem

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVES = [
    ("messaging", "0003_default_rooms"),
    ("library", "0003_bookmark_bookmarkgroupobjectpermission_and_more"),
    ("notices", None),
    ("saved", None),
    ("verification", "0006_audit_item_removal"),
]


def migrate(targets: Sequence[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    return MigrationExecutor(connection)


def test_notifications_deliveries_and_saved_items_keep_their_rows_when_their_models_move_app() -> None:
    # Given rows written while the models still lived in messaging and library
    executor = migrate(BEFORE_THE_MOVES)
    applied = [(app, name) for app, name in BEFORE_THE_MOVES if name is not None]
    old = executor.loader.project_state(applied).apps
    member = old.get_model("verification", "Member").objects.create(email="dana@county.gov")
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="verification", model="member")
    old.get_model("messaging", "EmailDelivery").objects.create(key="invite-7", recipient="a@b.gov", subject="Join")
    old.get_model("messaging", "Notification").objects.create(
        recipient=member, kind="mention", target_type=content_type, target_id=member.pk, url="/x/"
    )
    old.get_model("library", "SavedItem").objects.create(
        member=member, item_type=content_type, item_id=member.pk, label="Roster", url="/y/"
    )

    # When every migration runs to the end
    migrate(executor.loader.graph.leaf_nodes())

    # Then the moved models read the same rows from the same tables
    assert EmailDelivery.objects.get().key == "invite-7"
    assert (Notification.objects.get().kind, Notification.objects.get().recipient_id) == ("mention", member.pk)
    assert SavedItem.objects.get().label == "Roster"
    assert EmailDelivery._meta.db_table == "messaging_emaildelivery"
    assert SavedItem._meta.db_table == "library_saveditem"


def test_wiki_page_watches_become_watching_subscriptions() -> None:
    # Given a member watching a wiki page before subscriptions replaced watches
    before = [("wiki", "0002_content_removal"), ("notices", "0002_subscriptions_and_mail_preferences")]
    executor = migrate(before)
    old = executor.loader.project_state(before).apps
    member = old.get_model("verification", "Member").objects.create(email="dana@county.gov")
    marking = old.get_model("verification", "Marking").objects.get_or_create(
        slug="unmarked", defaults={"name": "Unmarked", "banner_text": "Unmarked"}
    )[0]
    group = old.get_model("auth", "Group")
    community = old.get_model("communities", "Community").objects.create(
        name="Gulf",
        slug="gulf",
        marking=marking,
        member_group=group.objects.create(name="m"),
        moderator_group=group.objects.create(name="mo"),
        owner_group=group.objects.create(name="o"),
    )
    page = old.get_model("wiki", "WikiPage").objects.create(
        community=community, marking=marking, title="Co-leads", slug="co-leads", body="Two."
    )
    old.get_model("wiki", "Watch").objects.create(page=page, member=member)

    # When every migration runs to the end
    migrate(executor.loader.graph.leaf_nodes())

    # Then they follow the page at "watching", and the watch table is gone
    subscription = Subscription.objects.get()
    assert (subscription.member_id, subscription.target_id) == (member.pk, page.pk)
    assert (subscription.target_type.model, subscription.level) == ("wikipage", "watching")
    assert "wiki_watch" not in connection.introspection.table_names()
