"""The inbox and conversations: messages, reading, direct and group conversations and their people.

Views parse input, read through ``messaging.selectors`` (already narrowed by
the access policy) and call one service. A conversation the member may not
be in is "not found", whether it exists or not. Every page works without
script; ``static/js/live.js`` brings it up to date over the socket, and uses
the JSON answers here (``Accept: application/json``) while the socket is down.
"""

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities import selectors as community_selectors
from messaging import access, presence, selectors, services
from messaging.forms import (
    EventsForm,
    GroupForm,
    HistoryForm,
    MemberChoiceForm,
    MessageForm,
    PeopleAddForm,
    ReactionForm,
    ReadForm,
)
from messaging.models import REACTIONS, Conversation, Message
from messaging.naming import conversation_title, conversation_url
from messaging.serialise import message_data, quote_data, reactions_data
from muster.forms import add_service_error
from verification import policy
from verification.gate import signed_in_member
from verification.models import Marking, Member

CONVERSATIONS_PER_PAGE = 25
HISTORY_LIMIT = 50
ROOM_PEOPLE_SHOWN = 100
SNIPPET_CHARACTERS = 120


# --- Finding things ------------------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    """live.js asks for JSON (its fallback while the socket is down); forms get pages."""
    return "application/json" in request.headers.get("Accept", "")


def visible_conversation(request: HttpRequest, pk: int) -> tuple[Member, Conversation]:
    """The member and a conversation they are in, with its read position and people (``selectors.inbox``).

    A conversation that exists but is closed to them is refused through the policy (which audits the
    denial) and then answered like one that does not exist: 404, so ids cannot be probed.
    """
    member = signed_in_member(request)
    conversation = selectors.inbox(member).filter(pk=pk).first()
    if conversation is not None:
        return member, conversation
    existing = Conversation.objects.filter(pk=pk).first()
    if existing is not None:
        with contextlib.suppress(PermissionDenied):
            access.check_view_conversation_permission(member, existing, request)
    raise Http404("No such conversation, or you are not in it.")


def snippet(message: Message | None) -> str:
    if message is None:
        return ""
    if message.is_deleted:
        return "message deleted"
    return Truncator(strip_tags(message.body_html) or message.body).chars(SNIPPET_CHARACTERS)


# --- The inbox -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    title: str
    marking: Marking
    snippet: str


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The member's conversations, newest activity first, with unread counts (live.js keeps them current)."""
    member = signed_in_member(request)
    page = Paginator(selectors.inbox(member), CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        InboxRow(c, conversation_title(c, member), policy.effective_marking(c), snippet(c.last_message))
        for c in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "marking": policy.highest_marking(row.marking for row in rows),
    }
    return render(request, "messaging/inbox.html", context)


# --- A conversation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    member: Member
    state: presence.PresenceState


def people_present(member: Member, conversation: Conversation) -> list[Person]:
    """The sidebar: a room's community members (the first ROOM_PEOPLE_SHOWN), a conversation's participants;
    online first."""
    if conversation.community is not None:
        memberships = community_selectors.community_members(member, conversation.community)[:ROOM_PEOPLE_SHOWN]
        people = [membership.member for membership in memberships]
    else:
        people = [row.member for row in getattr(conversation, "people", [])]
    states = presence.presence_of([person.pk for person in people])  # everyone offline while Redis is down
    order = {"online": 0, "idle": 1, "offline": 2}
    return sorted((Person(p, states[p.pk]) for p in people), key=lambda person: order[person.state])


@dataclass(frozen=True)
class ShownMessage:
    """A message as the page shows it: the message, its reactions by emoji, the quote it answers."""

    message: Message
    reactions: list[dict[str, object]]
    quote: dict[str, object] | None
    mine: list[str]


def shown_messages(member: Member, history: list[Message]) -> list[ShownMessage]:
    """Reactions and quotes ready for the template (``selectors.with_message_parts`` loaded them)."""
    rows = []
    for message in history:
        reactions: list[dict[str, object]] = [
            {**reaction, "mine": member.pk in reaction["members"], "who": ", ".join(reaction["names"])}
            for reaction in reactions_data(message)
        ]
        quote = quote_data(message.reply_to) if message.reply_to_id is not None else None
        mine = [str(reaction["emoji"]) for reaction in reactions if reaction["mine"]]
        rows.append(ShownMessage(message, reactions, dict(quote) if quote is not None else None, mine))
    return rows


def message_context(member: Member, conversation: Conversation) -> dict[str, object]:
    """What ``messaging/_message.html`` needs besides the message itself."""
    return {
        "conversation": conversation,
        "may_moderate": conversation.is_room and access.can_moderate_conversation(member, conversation),
        "reactions_offered": list(REACTIONS.items()),
    }


def render_conversation(
    request: HttpRequest, member: Member, conversation: Conversation, form: MessageForm, *, status: int = 200
) -> HttpResponse:
    """The conversation page: its latest messages (or those before ``?before=``), the composer and who is here.

    It opens at the first message the member has not read (below a "New messages" line), else at the newest;
    live.js loads older pages as they scroll up. Opening the newest page reads the conversation up to its
    newest message, as chat users expect.
    """
    try:
        before = int(request.GET["before"]) if "before" in request.GET else None
    except ValueError:
        before = None
    history = selectors.message_history(member, conversation, before=before, limit=HISTORY_LIMIT)
    last_read: int = getattr(conversation, "read_up_to", 0)
    read_now = last_read
    if before is None and history and history[-1].sequence > last_read and request.method == "GET":
        services.conversation_mark_read(conversation=conversation, member=member, up_to=history[-1].sequence)
        read_now = history[-1].sequence
    first_unread = None
    if before is None:
        first_unread = next((m.sequence for m in history if m.sequence > last_read and m.author_id != member.pk), None)
    policy.record_view(member, conversation, request)
    context = {
        **message_context(member, conversation),
        "title": conversation_title(conversation, member),
        "marking": policy.effective_marking(conversation),
        "history": shown_messages(member, history),
        "older": history[0].sequence if history and history[0].sequence > 1 else None,
        "is_newest": before is None,
        "last_read": last_read,
        "first_unread": first_unread,
        "read_now": read_now,
        "form": form,
        "people": people_present(member, conversation),
    }
    return render(request, "messaging/conversation.html", context, status=status)


@require_GET
def conversation_history(request: HttpRequest, pk: int) -> JsonResponse:
    """The page of messages before ``?before=`` (a message id), as the list items the page shows: what
    live.js adds at the top as the member scrolls up. A constant number of queries per page."""
    member, found = visible_conversation(request, pk)
    form = HistoryForm(request.GET)
    if not form.is_valid():
        return _json_error("malformed", '"before" must be a whole number of at least 1.', 400)
    history = selectors.message_history(member, found, before=form.cleaned_data["before"], limit=HISTORY_LIMIT)
    html = render_to_string(
        "messaging/_messages.html",
        {**message_context(member, found), "history": shown_messages(member, history)},
        request=request,
    )
    older = history[0].sequence if history and history[0].sequence > 1 else None
    return JsonResponse({"html": html, "ids": [m.sequence for m in history], "older": older})


def _json_error(error: str, detail: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail, **extra}, status=status)


@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a conversation; POST ``body`` sends a message (JSON in and out for live.js's fallback)."""
    member, found = visible_conversation(request, pk)
    if request.method == "GET":
        return render_conversation(request, member, found, MessageForm())
    form = MessageForm(request.POST)
    json = wants_json(request)
    if not form.is_valid():
        if json:
            return _json_error(
                "invalid",
                " ".join(str(error) for error in form.errors.get("body", ["That message cannot be sent."])),
                400,
            )
        return render_conversation(request, member, found, form, status=400)
    try:
        reply_to = None
        if form.cleaned_data["reply_to"]:
            reply_to = found.messages.filter(sequence=form.cleaned_data["reply_to"]).first()
            if reply_to is None:
                raise ValidationError("There is no such message to reply to in this conversation.")
        message = services.message_send(
            conversation=found,
            author=member,
            body=form.cleaned_data["body"],
            reply_to=reply_to,
            client_id=form.cleaned_data["client_id"] or "",
        )
    except services.RateLimitedError as limited:
        if json:
            return _json_error("rate_limited", str(limited), 429, retry_after=limited.retry_after)
        form.add_error("body", str(limited))
        return render_conversation(request, member, found, form, status=429)
    except ValidationError as invalid:
        if json:
            return _json_error("invalid", " ".join(invalid.messages), 400)
        form.add_error("body", invalid)
        return render_conversation(request, member, found, form, status=400)
    except PermissionDenied:
        raise Http404("No such conversation, or you are not in it.") from None
    if json:
        return JsonResponse({"message": message_data(message)}, status=201)
    return redirect(f"{conversation_url(found)}#m{message.sequence}")


@require_GET
def conversation_events(request: HttpRequest, pk: int) -> JsonResponse:
    """What changed after version ``since``: the HTTP way to catch up while the socket is down."""
    member, found = visible_conversation(request, pk)
    form = EventsForm(request.GET)
    if not form.is_valid():
        return _json_error("malformed", '"since" must be a whole number of at least 0.', 400)
    since: int = form.cleaned_data["since"]
    changed = selectors.messages_changed_since(member, found, since)
    return JsonResponse(
        {
            "messages": [message_data(message) for message in changed],
            "version": changed[-1].version if changed else since,
            "complete": len(changed) < selectors.REPLAY_LIMIT,
        }
    )


@require_POST
def conversation_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the read position forward: 204 for live.js, back to the conversation for a form."""
    member, found = visible_conversation(request, pk)
    form = ReadForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return _json_error("malformed", '"up_to" must be a whole number of at least 0.', 400)
        raise Http404("No such message.")
    services.conversation_mark_read(conversation=found, member=member, up_to=form.cleaned_data["up_to"])
    if wants_json(request):
        return HttpResponse(status=204)
    return redirect(conversation_url(found))


# --- One message: edit and delete ----------------------------------------------------------


def message_in(conversation: Conversation, sequence: int) -> Message:
    """A message of a conversation the member was already shown to be in."""
    found = Message.objects.select_related("author").filter(conversation=conversation, sequence=sequence).first()
    if found is None:
        raise Http404("No such message.")
    return found


def own_message(member: Member, conversation: Conversation, sequence: int) -> Message:
    found = message_in(conversation, sequence)
    if found.is_deleted:
        raise Http404("This message was deleted.")
    if found.author_id != member.pk:
        raise PermissionDenied("Only its author edits a message.")
    return found


@require_http_methods(["GET", "POST"])
def message_edit(request: HttpRequest, pk: int, sequence: int) -> HttpResponse:
    member, found = visible_conversation(request, pk)
    message = own_message(member, found, sequence)
    form = MessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(message=message, editor=member, body=form.cleaned_data["body"])
        except ValidationError as invalid:
            form.add_error("body", invalid)
        except PermissionDenied:
            raise Http404("No such conversation, or you are not in it.") from None
        else:
            return redirect(f"{conversation_url(found)}#m{sequence}")
    context = {
        "conversation": found,
        "title": conversation_title(found, member),
        "marking": policy.effective_marking(found),
        "message": message,
        "form": form,
    }
    return render(request, "messaging/message_edit.html", context, status=400 if form.errors else 200)


@require_POST
def message_delete(request: HttpRequest, pk: int, sequence: int) -> HttpResponse:
    member, found = visible_conversation(request, pk)
    message = message_in(found, sequence)
    try:
        services.message_delete(message=message, actor=member)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
    except PermissionDenied:
        raise Http404("No such conversation, or you are not in it.") from None
    else:
        messages.success(request, "The message is deleted.")
    return redirect(f"{conversation_url(found)}#m{sequence}")


@require_POST
def message_react(request: HttpRequest, pk: int, sequence: int) -> HttpResponse:
    """Toggle one of the fixed reactions (the form of a message's menu; JSON for live.js's fallback)."""
    member, found = visible_conversation(request, pk)
    message = message_in(found, sequence)
    form = ReactionForm(request.POST)
    json = wants_json(request)
    try:
        if not form.is_valid():
            raise ValidationError("Pick one of the offered reactions.")
        services.reaction_toggle(message=message, member=member, emoji=form.cleaned_data["emoji"])
    except services.RateLimitedError as limited:
        if json:
            return _json_error("rate_limited", str(limited), 429, retry_after=limited.retry_after)
        messages.error(request, str(limited))
    except ValidationError as refused:
        if json:
            return _json_error("invalid", " ".join(refused.messages), 400)
        for text in refused.messages:
            messages.error(request, text)
    except PermissionDenied:
        raise Http404("No such conversation, or you are not in it.") from None
    if json:
        changed = selectors.with_message_parts(Message.objects.filter(pk=message.pk)).get()
        return JsonResponse({"message": message_data(changed)})
    return redirect(f"{conversation_url(found)}#m{sequence}")


# --- Starting conversations -------------------------------------------------------------------


@require_POST
def direct_open(request: HttpRequest, handle: str) -> HttpResponse:
    """The "Send a message" button of a profile: the one direct conversation with that member."""
    member = signed_in_member(request)
    other = policy.filter_visible_members(member, Member.objects.filter(handle=handle)).first()
    if other is None:
        raise Http404("No such member.")
    try:
        found = services.direct_conversation_open(member=member, other=other)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect("members:profile", pk=other.pk)
    return redirect(conversation_url(found))


@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = GroupForm(request.POST or None, viewer=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.group_conversation_create(
                creator=member, title=data["title"], participants=data["participants"], marking=data["marking"]
            )
        except ValidationError as refused:
            add_service_error(form, refused)
        else:
            return redirect(conversation_url(found))
    return render(request, "messaging/group_new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def conversation_people(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's people: add some, leave, or (its creator) remove someone."""
    member, found = visible_conversation(request, pk)
    if found.kind != Conversation.Kind.GROUP:
        raise Http404("Only group conversations have a people page.")
    form = PeopleAddForm(viewer=member)
    action = request.POST.get("action")
    if request.method == "POST" and action == "add":
        form = PeopleAddForm(request.POST, viewer=member)
        if form.is_valid():
            try:
                added = services.group_participants_add(
                    conversation=found, actor=member, members=form.cleaned_data["handles"]
                )
            except ValidationError as refused:
                add_service_error(form, refused)
            except PermissionDenied:
                raise Http404("No such conversation, or you are not in it.") from None
            else:
                messages.success(request, f"{added} {'person' if added == 1 else 'people'} added.")
                return redirect("messaging:people", pk=found.pk)
    elif request.method == "POST" and action in ("leave", "remove"):
        return _leave_or_remove(request, member, found, action)
    elif request.method == "POST":
        raise Http404("No such action.")
    context = {
        "conversation": found,
        "title": conversation_title(found, member),
        "marking": policy.effective_marking(found),
        "people": people_present(member, found),
        "form": form,
        "may_remove": access.can_moderate_conversation(member, found),
    }
    return render(request, "messaging/people.html", context, status=400 if form.errors else 200)


def _leave_or_remove(request: HttpRequest, member: Member, found: Conversation, action: str) -> HttpResponse:
    leaving = member
    if action == "remove":
        choice = MemberChoiceForm(request.POST)
        people = {row.member_id: row.member for row in getattr(found, "people", [])}
        if not choice.is_valid() or choice.cleaned_data["member"] not in people:
            raise Http404("That member is not in this conversation.")
        leaving = people[choice.cleaned_data["member"]]
    try:
        services.conversation_leave(conversation=found, member=leaving, removed_by=member)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
        return redirect("messaging:people", pk=found.pk)
    if leaving.pk == member.pk:
        messages.success(request, "You left the conversation.")
        return redirect("messaging:inbox")
    messages.success(request, f"{leaving.display_name} is no longer in the conversation.")
    return redirect("messaging:people", pk=found.pk)
