"""Chat: the member's inbox, a conversation's messages after a point, and sending, through the messaging
selectors and services. Every endpoint here needs the token's ``chat`` scope, for reading and writing alike.

A conversation the member is not in is "not found", whether it exists or not (the refusal is audited, as
the site's page does).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, QuerySet, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.errors import ApiError
from api.models import Scope
from api.serializers import CommunityRefSerializer, MarkingSerializer, MemberRefSerializer, StrictSerializer
from api.views.base import ApiGenericView, ApiView
from messaging import access, selectors, services
from messaging.models import Conversation, Message
from messaging.naming import conversation_title, conversation_url
from messaging.serialise import message_data
from messaging.views.conversations import snippet
from verification import policy
from verification.models import Member

DEFAULT_MESSAGES = 50
# Conversations without a message sort after every other, as the inbox page shows them (nulls last).
NO_MESSAGE_YET = datetime(1970, 1, 1, tzinfo=UTC)


class ChatRateLimited(exceptions.Throttled):
    """The chat service's own limit (``MUSTER_CHAT_RATE``), told apart from the API's request limit."""

    error_code = "chat_rate_limited"


class ChatScoped:
    read_scope = Scope.CHAT.value
    write_scope = Scope.CHAT.value


# --- Shapes ---------------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    handle = serializers.CharField()
    name = serializers.CharField()
    initials = serializers.CharField(help_text="What the member's avatar shows when they share no photo.")
    colour = serializers.IntegerField(help_text="Which of the site's eight avatar colours is theirs (0-7).")


class QuoteSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The quoted message's sequence number, in the same conversation.")
    author = serializers.CharField()
    snippet = serializers.CharField(help_text="The start of its text (empty once deleted).")
    deleted = serializers.BooleanField()


class ReactionSerializer(serializers.Serializer[Any]):
    # Each also carries "label", the emoji's name in words (a serializer cannot declare a field of that name).
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    members = serializers.ListField(child=serializers.IntegerField(), help_text="Who reacted, by member id.")
    names = serializers.ListField(child=serializers.CharField())


class MessageSerializer(serializers.Serializer[Any]):
    """A message as the site's live events carry it (``messaging.serialise.message_data``)."""

    conversation = serializers.IntegerField()
    id = serializers.IntegerField(help_text="The message's sequence number in its conversation (1, 2, 3 …).")
    version = serializers.IntegerField(help_text="The conversation's change counter at its latest send or edit.")
    author = AuthorSerializer(allow_null=True)
    body = serializers.CharField(help_text="Markdown, as written (empty once deleted).")
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited = serializers.BooleanField()
    deleted = serializers.BooleanField()
    reply_to = QuoteSerializer(allow_null=True, help_text="The message this one answers.")
    reactions = ReactionSerializer(many=True)
    client_id = serializers.CharField(help_text="The sending browser's own id for the message (may be empty).")


class MessagePageSerializer(serializers.Serializer[Any]):
    next = serializers.URLField(allow_null=True, help_text="The next messages, when there are more.")
    results = MessageSerializer(many=True)


class LastMessageSerializer(serializers.Serializer[Message]):
    sequence = serializers.IntegerField()
    author = MemberRefSerializer(allow_null=True)
    snippet = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_snippet(self, message: Message) -> str:
        return snippet(message)


class ConversationSerializer(serializers.Serializer[Conversation]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="room, direct or group.")
    title = serializers.SerializerMethodField(help_text="A room by its community, a direct message by the other.")
    community = CommunityRefSerializer(allow_null=True, help_text="A room's community.")
    marking = serializers.SerializerMethodField()
    unread = serializers.IntegerField(help_text="Messages by others after the member's read position.")
    last_sequence = serializers.IntegerField(help_text="The newest message's sequence number.")
    last_message = LastMessageSerializer(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The conversation's page on the site.")

    def get_title(self, conversation: Conversation) -> str:
        member: Member = self.context["member"]
        return conversation_title(conversation, member)

    @extend_schema_field(MarkingSerializer)
    def get_marking(self, conversation: Conversation) -> dict[str, Any]:
        return dict(MarkingSerializer(policy.effective_marking(conversation)).data)

    def get_url(self, conversation: Conversation) -> str:
        return str(self.context["request"].build_absolute_uri(conversation_url(conversation)))


class MessagesQuery(StrictSerializer):
    after = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Only messages after this sequence number."
    )
    page_size = serializers.IntegerField(required=False, default=DEFAULT_MESSAGES, min_value=1)


class MessageCreateSerializer(StrictSerializer):
    body = serializers.CharField(help_text="Markdown.")


# --- Finding things ---------------------------------------------------------------------


def inbox_of(member: Member) -> QuerySet[Conversation]:
    """``messaging.selectors.inbox`` with a sort key a cursor can hold (no message yet: oldest of all)."""
    return selectors.inbox(member).annotate(
        activity_at=Coalesce("last_message_at", Value(NO_MESSAGE_YET), output_field=DateTimeField())
    )


def visible_conversation(request: Request, member: Member, pk: int) -> Conversation:
    """A conversation the member is in; 404 otherwise, the refusal audited (as ``messaging.views`` does)."""
    conversation = selectors.inbox(member).filter(pk=pk).first()
    if conversation is not None:
        return conversation
    existing = Conversation.objects.filter(pk=pk).first()
    if existing is not None:
        with contextlib.suppress(PermissionDenied):
            access.check_view_conversation_permission(member, existing, request)
    raise NotFound("No such conversation, or you are not in it.")


# --- Views --------------------------------------------------------------------------------


class ConversationListView(ChatScoped, ApiGenericView):
    serializer_class = ConversationSerializer
    cursor_ordering = ("-activity_at", "-pk")

    @extend_schema(
        responses=ConversationSerializer(many=True),
        operation_id="conversations_list",
        summary="List the member's conversations",
        tags=["chat"],
    )
    def get(self, request: Request) -> Response:
        """The member's inbox: the rooms of their communities and their direct and group conversations,
        newest activity first, each with its unread count and last message, as the inbox page shows them.

        Needs the ``chat`` scope. Marked conversations listed are written to the audit log.
        """
        page = self.paginate_queryset(inbox_of(self.member)) or []
        policy.record_views(self.member, page, request)
        context = {"request": request, "member": self.member}
        data = ConversationSerializer(page, many=True, context=context).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)


class ConversationMessagesView(ChatScoped, ApiView):
    @extend_schema(
        parameters=[MessagesQuery],
        responses=MessagePageSerializer,
        summary="Read a conversation's messages",
        tags=["chat"],
    )
    def get(self, request: Request, pk: int) -> Response:
        """Messages after sequence number ``after`` (0: from the first), oldest first, at most ``page_size``
        (up to the API's page limit); ``next`` continues after the last one given. Deleted messages keep
        their place, without their text. Reading does not move the member's read position.

        Needs the ``chat`` scope. The view of a marked conversation is written to the audit log.
        """
        conversation = visible_conversation(request, self.member, pk)
        query = MessagesQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        after: int = query.validated_data["after"]
        size: int = query.validated_data["page_size"]
        limit = int(settings.MUSTER_API_MAX_PAGE_SIZE)
        if size > limit:
            raise ApiError("invalid_page_size", f"page_size must be between 1 and {limit}.")
        messages = access.filter_visible_messages(
            self.member, Message.objects.filter(conversation=conversation, sequence__gt=after)
        )
        found = list(selectors.with_message_parts(messages).order_by("sequence")[: size + 1])
        shown, more = found[:size], len(found) > size
        policy.record_view(self.member, conversation, request)
        following = None
        if more:
            following = replace_query_param(request.build_absolute_uri(), "after", shown[-1].sequence)
        return Response({"next": following, "results": [message_data(message) for message in shown]})

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer},
        summary="Send a message",
        tags=["chat"],
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a message to a conversation the member is in; it reaches everyone there live, as if sent
        from the site.

        Needs the ``chat`` scope. An empty or over-long message is 400 ``invalid``; sending faster than the
        site's chat limit is 429 ``chat_rate_limited`` with ``Retry-After``.
        """
        conversation = visible_conversation(request, self.member, pk)
        form = MessageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            message = services.message_send(
                conversation=conversation, author=self.member, body=form.validated_data["body"]
            )
        except services.RateLimitedError as limited:
            raise ChatRateLimited(wait=limited.retry_after, detail=str(limited)) from None
        except PermissionDenied:
            raise NotFound("No such conversation, or you are not in it.") from None
        return Response(message_data(message), status=status.HTTP_201_CREATED)
