"""The content registry's own guarantees: a registration must say what "removed" means, and
start-up (``check_content_registry``) refuses content that is unregistered or registered wrongly."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from library.models import Document
from messaging.models import Conversation
from verification.registry import (
    ContentRegistration,
    ContentRegistry,
    check_content_registry,
    content_registry,
    registration_errors,
)
from wiki.models import WikiPage


@pytest.fixture
def restore_registry() -> Iterator[None]:
    """Whatever a test does to the global registry is undone."""
    original = dict(content_registry._by_model)
    try:
        yield
    finally:
        content_registry._by_model.clear()
        content_registry._by_model.update(original)


def errors_with_id(error_id: str) -> list[str]:
    return [message.msg for message in check_content_registry() if message.id == error_id]


def test_a_registration_without_a_removal_condition_is_refused() -> None:
    registry = ContentRegistry()

    with pytest.raises(ImproperlyConfigured, match="not removed"):
        registry.register(Document, type_label="Document", title=str, url=str)

    assert not registry.is_registered(Document)


def test_a_registration_that_says_it_is_never_removed_is_accepted() -> None:
    registry = ContentRegistry()

    registration = registry.register(Document, not_removed=Q(), type_label="Document", title=str, url=str)

    assert registry.get(Document) is registration
    assert registration.label == "library.document"


def test_the_project_registers_its_content_soundly() -> None:
    assert check_content_registry() == []


def test_a_community_path_that_leads_elsewhere_fails_start_up(restore_registry: None) -> None:
    original = content_registry.get(Document)
    content_registry._by_model[Document] = replace(original, community="marking")

    errors = errors_with_id("muster.E002")

    assert errors == ["library.Document: community path 'marking' does not lead to a community."]


def test_a_marking_path_that_leads_elsewhere_fails_start_up(restore_registry: None) -> None:
    original = content_registry.get(Document)
    content_registry._by_model[Document] = replace(original, marking="community")

    assert errors_with_id("muster.E002") == ["library.Document: marking path 'community' does not lead to a marking."]


def test_a_field_the_model_does_not_have_fails_start_up(restore_registry: None) -> None:
    original = content_registry.get(Document)
    content_registry._by_model[Document] = replace(original, published="went_live_at")

    assert errors_with_id("muster.E002") == ["library.Document: published field 'went_live_at' does not exist."]


def test_community_content_left_unregistered_fails_start_up(restore_registry: None) -> None:
    content_registry.unregister(WikiPage)

    messages = [message for message in check_content_registry() if message.id == "muster.E001"]

    assert [message.obj for message in messages] == [WikiPage]
    assert "wiki.WikiPage is community content but is not registered" in messages[0].msg


def test_the_registry_is_restored_after_a_test_changed_it() -> None:
    # Runs after the tests above: they put back what they took away.
    assert content_registry.is_registered(WikiPage)
    assert content_registry.get(Document).community == "community"
    assert check_content_registry() == []


def conversation_registration(**options: object) -> ContentRegistration:
    """Conversations have a community, a marking and an author, but no per-item permission tables."""
    fields: dict[str, object] = {
        "model": Conversation,
        "not_removed": Q(),
        "type_label": "Conversation",
        "title": str,
        "url": str,
        "restricted": None,
        "published": None,
        "author": "created_by",
    }
    fields.update(options)
    return ContentRegistration(**fields)  # type: ignore[arg-type]


def test_a_per_item_restriction_without_guardian_tables_is_reported() -> None:
    assert registration_errors(conversation_registration()) == []

    errors = registration_errors(conversation_registration(restricted="is_default_room"))

    assert errors == ["messaging.Conversation: per-item restriction needs direct object-permission tables (guardian)."]


def test_a_per_item_restriction_with_guardian_tables_is_accepted() -> None:
    assert registration_errors(content_registry.get(Document)) == []
    assert content_registry.get(Document).restricted == "is_restricted"
