from django.apps import AppConfig
from django.db.models import Q


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self) -> None:
        from communities.signals import starter_content_requested
        from discussions.follows import register_followables
        from discussions.models import Post, Thread
        from discussions.notifications import MENTION, REPLY, describe_post_notification, post_targets
        from discussions.receivers import open_starter_board
        from discussions.services import opening_post_html, post_url, thread_url
        from notices.kinds import register_kind
        from verification.registry import register

        register(
            Thread,
            api_fields=("kind", "is_pinned", "is_locked", "reply_count", "last_post_at"),
            not_removed=Q(deleted_at__isnull=True),
            type_label="Discussion",
            title=str,
            url=thread_url,
            removable=False,  # removed and restored with its opening post (discussions.services)
            taggable=True,
            plural_label="Discussions, questions and blog posts",
            list_order=("-published_at", "-pk"),
            search_type="thread",
            search_fields=("title", "opening_html"),
            search_html=("opening_html",),
            search_extra=opening_post_html,
            display_related=("community", "board"),
        )
        register(
            Post,
            api_fields=("is_opening", "body", "body_html", "edited_at"),
            parent="thread",
            community="thread__community",
            marking=None,
            restricted=None,
            published=None,
            not_removed=Q(deleted_at__isnull=True, hidden_at__isnull=True),
            type_label="Post",
            title=lambda post: post.thread.title,
            title_field="thread__title",
            url=post_url,
            search_type="post",
            search_fields=("body_html",),
            search_html=("body_html",),
            search_with_parent=Q(is_opening=True),
            display_related=("thread__community",),
        )
        register_kind(
            MENTION,
            label="Mention",
            describe=describe_post_notification,
            target_querysets=post_targets,
            emailed=True,
        )
        register_kind(
            REPLY,
            label="Reply to your thread",
            describe=describe_post_notification,
            target_querysets=post_targets,
            emailed=True,
        )
        register_followables()
        starter_content_requested.connect(open_starter_board, dispatch_uid="discussions_starter_board")
