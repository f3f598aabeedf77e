"""The member's start page: what is new across their communities, unread conversations and mentions,
their communities, and communities to join. It reads every content type, so it sits in the readers layer."""
