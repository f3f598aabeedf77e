"""What communities announce to the layers above them, which connect in their ``AppConfig.ready()``.

``community_created`` is sent inside the creating transaction (``community``):
a receiver's writes (chat's default room) commit or roll back with it.
"""

from django.dispatch import Signal

community_created = Signal()
