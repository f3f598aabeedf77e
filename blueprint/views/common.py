"""What the Blueprint's views share: finding the entry a member may see, and telling refusals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from blueprint import selectors
from blueprint.models import Entry, EntryRevision
from verification.gate import signed_in_member
from verification.models import Member

PAGE_SIZE = 50


def visible_entry(request: HttpRequest, slug: str) -> tuple[Member, Entry]:
    """The signed-in member and the entry at ``slug`` when they may see it; 404 otherwise."""
    member = signed_in_member(request)
    try:
        return member, selectors.entry_readable_by(member, slug)
    except Entry.DoesNotExist:
        raise Http404("No such entry.") from None


def revision(entry: Entry, number: int) -> EntryRevision:
    try:
        return selectors.revision_of(entry, number)
    except EntryRevision.DoesNotExist:
        raise Http404("No such revision.") from None


def tell_errors(request: HttpRequest, error: ValidationError | Form) -> None:
    """A refusal, or an invalid one-button form, as error messages on the next page."""
    if isinstance(error, Form):
        texts = [str(message) for errors in error.errors.values() for message in errors]
    else:
        texts = list(error.messages)
    for text in texts:
        messages.error(request, text)
