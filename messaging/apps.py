from django.apps import AppConfig
from django.db.models import Q


class MessagingConfig(AppConfig):
    name = "messaging"

    def ready(self) -> None:
        from communities.signals import community_created
        from messaging.access import (
            conversations_visible_by_rule,
            filter_members_who_may_view_conversation,
            members_who_may_read_message,
        )
        from messaging.models import Conversation, Message
        from messaging.naming import conversation_url, message_url
        from messaging.notifications import CHAT_MENTION, DIRECT_MESSAGE, chat_targets, describe_chat_notification
        from messaging.receivers import open_default_room
        from notices.kinds import register_kind
        from verification.registry import register

        register(
            Conversation,
            api_scope="chat",
            api_fields=("kind", "topic", "is_default_room", "last_sequence", "last_message_at"),
            visibility=conversations_visible_by_rule,
            audience=filter_members_who_may_view_conversation,
            not_removed=Q(),
            restricted=None,
            published=None,
            author="created_by",
            type_label="Conversation",
            title=str,
            url=conversation_url,
            display_related=("community",),
        )
        register(
            Message,
            api_scope="chat",
            api_fields=("sequence", "body", "body_html", "edited_at"),
            parent="conversation",
            audience=members_who_may_read_message,
            community="conversation__community",
            marking=None,
            restricted=None,
            published=None,
            not_removed=Q(deleted_at__isnull=True),
            moderators_see_removed=False,  # a deleted message's words are gone for everyone
            type_label="Chat message",
            title=lambda message: str(message.conversation),
            title_field="conversation__title",
            url=message_url,
            search_type="message",
            search_fields=("body_html",),
            search_html=("body_html",),
            display_related=("conversation__community",),
        )
        register_kind(
            CHAT_MENTION,
            label="Mention in chat",
            describe=describe_chat_notification,
            target_querysets=chat_targets,
            emailed=True,
        )
        register_kind(
            DIRECT_MESSAGE,
            label="Direct message",
            describe=describe_chat_notification,
            target_querysets=chat_targets,
            emailed=True,
        )
        community_created.connect(open_default_room, dispatch_uid="messaging_default_room")
