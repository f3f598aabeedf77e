"""How a member is mentioned in any text (``@dana-reyes``): one pattern for posts and chat."""

import re

MENTION = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{0,59})", re.IGNORECASE)


def mentioned_handles(text: str) -> set[str]:
    return {handle.lower() for handle in MENTION.findall(text)}
