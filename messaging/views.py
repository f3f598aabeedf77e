# TEMPORARY placeholder while the pages are written; replaced before commit.
from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


inbox = group_new = direct_open = conversation = conversation_events = conversation_read = _todo
conversation_people = message_edit = message_delete = rooms = room_new = _todo
notification_list = notifications_read_all = notification_read = _todo
