"""Community pages. Each view parses input, calls one service (or reads through
``communities.selectors``), tells the member what happened and redirects after a POST.

- ``directory``: the directory, autocomplete, creating a community, staff approval
- ``community``: a community's home page, its feed pins and its settings
- ``joining``: joining, requests to join and their queue, invitations, leaving
- ``members``: the member list and the owners' role, ownership, removal and ban controls
"""
