import factory
from allauth.account.models import EmailAddress

from verification.models import Member

TEST_PASSWORD = "correct-horse-battery-staple-42"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.gov")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def confirmed_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Every factory member has confirmed their e-mail unless ``confirmed_email=False``."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()
