import factory
from allauth.account.models import EmailAddress
from factory.declarations import PostGenerationMethodCall, Sequence
from factory.faker import Faker
from factory.helpers import post_generation

from verification.models import Member

TEST_PASSWORD = "correct-horse-battery-staple-42"


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"member{n}@example.gov")
    first_name = Faker("first_name")
    last_name = Faker("last_name")
    password = PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @post_generation
    def confirmed_email(self: Member, create: bool, extracted: object, **kwargs: object) -> None:
        """Every factory member has confirmed their e-mail unless ``confirmed_email=False``."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()
