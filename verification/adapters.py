from allauth.account.adapter import DefaultAccountAdapter


class MemberAccountAdapter(DefaultAccountAdapter):
    """Muster's allauth adapter. Sign-up is always open; vetting happens after it."""
