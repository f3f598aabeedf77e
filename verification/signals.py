"""What vetting announces to the layers above it, which connect in their ``AppConfig.ready()``.

``member_verified`` is sent inside the approving transaction (``member``):
communities accepts the invitations waiting for the member's addresses.
"""

from django.dispatch import Signal

member_verified = Signal()
