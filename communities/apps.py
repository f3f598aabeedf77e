from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"

    def ready(self) -> None:
        from communities.follows import register_followables
        from communities.notifications import (
            JOIN_REQUEST_DECISION,
            about_known_community,
            describe_join_request_decision,
            join_request_targets,
        )
        from communities.receivers import accept_invitations_of_verified_member
        from notices.kinds import register_kind
        from verification.signals import member_verified

        register_kind(
            JOIN_REQUEST_DECISION,
            label="Join request decision",
            describe=describe_join_request_decision,
            email_template="email/communities/join_request_decision.txt",
            audience=about_known_community,
            target_querysets=join_request_targets,
        )
        register_followables()
        member_verified.connect(accept_invitations_of_verified_member, dispatch_uid="communities_accept_invitations")
