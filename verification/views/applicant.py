"""The applicant's side of vetting: profile, application, its status, the sponsor's answer, the Rules of Behavior.

Member profile pages and photos live in ``members.views``.

Views parse input and call one service from ``verification.services``; the
member's standing comes from ``verification.policy.member_access``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from muster.request_limits import accepts_body
from verification import services
from verification.forms import PHOTO_MAX_BYTES, ApplicationForm, ProfileForm, RulesAcceptForm, SponsorAnswerForm
from verification.gate import public_page, signed_in_member, vetting_page
from verification.models import AffiliationType, Discipline, Member, Profile, SponsorChoice, VerificationApplication
from verification.policy import Barrier, MemberAccess, member_access

# Standings in which a member has not (or no longer) been vetted: they may apply, not accept the rules.
NOT_VETTED = frozenset({Barrier.ANONYMOUS, Barrier.INACTIVE, Barrier.SUSPENDED, Barrier.UNVERIFIED, Barrier.EXPIRED})


@dataclass(frozen=True)
class NextStep:
    """What the member should do now, shown on the status page as one link."""

    text: str
    url_name: str | None = None
    link_text: str = ""


def _open_application(member: Member) -> VerificationApplication | None:
    return member.applications.filter(status__in=VerificationApplication.OPEN_STATUSES).first()


def _next_step(
    member: Member, access: MemberAccess, has_profile: bool, open_application: VerificationApplication | None
) -> NextStep:
    if access.barrier is Barrier.SUSPENDED:
        return NextStep("Your account is suspended. Contact the verification team if you think this is wrong.")
    if open_application is not None and open_application.status == VerificationApplication.Status.MORE_INFO:
        return NextStep(
            "A verifier needs more information. Answer their question and send your application again.",
            "verification:apply",
            "Edit and resubmit your application",
        )
    if open_application is not None:
        return NextStep("Your application is waiting for a verifier. We will e-mail you when they decide.")
    if access.barrier in NOT_VETTED:
        if not has_profile:
            return NextStep("Start by telling us who you are.", "verification:profile", "Fill in your profile")
        if access.barrier is Barrier.EXPIRED:
            return NextStep(
                "Your verification has ended. Renewal is a short re-application.",
                "verification:apply",
                "Renew your verification",
            )
        return NextStep(
            "Name a sponsor who can confirm your affiliation.", "verification:apply", "Apply for verification"
        )
    if access.barrier is Barrier.RULES:
        return NextStep(
            "Read and accept the Rules of Behavior to start.", "verification:rules", "Accept the Rules of Behavior"
        )
    if access.barrier is Barrier.MFA:
        return NextStep(
            "Your role needs two-factor authentication. Set up an authenticator app.",
            "mfa_activate_totp",
            "Set up two-factor authentication",
        )
    if services.renewal_is_due(member):
        return NextStep(
            "Your verification ends soon. Renewal is a short re-application.",
            "verification:apply",
            "Renew your verification",
        )
    return NextStep("You are verified and ready.", "home", "Go to your home page")


@vetting_page
def application_status(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    access = member_access(member)
    applications = list(member.applications.all())
    open_application = next((application for application in applications if application.is_open), None)
    has_profile = Profile.objects.filter(member=member).exists()
    return render(
        request,
        "verification/status.html",
        {
            "access": access,
            "barrier": access.barrier.value,
            "applications": applications,
            "next_step": _next_step(member, access, has_profile, open_application),
            "verified_until": member.verified_until,
        },
    )


def _after_profile_saved(member: Member) -> HttpResponse:
    """Cleared members see their page as others do; a new applicant goes on to the application."""
    if member_access(member).may_see_content:
        return redirect("members:profile", pk=member.pk)
    if not member.is_verified and _open_application(member) is None:
        return redirect("verification:apply")
    return redirect("verification:status")


@accepts_body(lambda: PHOTO_MAX_BYTES + 1024 * 1024)
@vetting_page
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    profile = Profile.objects.filter(member=member).first()
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            services.profile_save(
                member=member,
                fields=form.service_fields(),
                expertise=form.expertise_names(),
                names=form.member_names(),
            )
            messages.success(request, "Your profile has been saved.")
            return _after_profile_saved(member)
    else:
        initial = {"first_name": member.first_name, "last_name": member.last_name}
        if profile is None:
            initial["work_email"] = member.email
        form = ProfileForm(instance=profile, initial=initial)
    return render(request, "verification/profile_form.html", {"form": form, "is_new": profile is None})


@vetting_page
def application_apply(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    profile = Profile.objects.filter(member=member).first()
    if profile is None:
        messages.info(request, "Fill in your profile first: your application is made from it.")
        return redirect("verification:profile")
    if member.is_suspended:
        messages.error(request, "A suspended account cannot apply. Contact the verification team.")
        return redirect("verification:status")
    open_application = _open_application(member)
    if open_application is not None and open_application.status == VerificationApplication.Status.SUBMITTED:
        messages.info(request, "Your application is already waiting for a verifier.")
        return redirect("verification:status")
    if open_application is None and member.is_verified and not services.renewal_is_due(member):
        messages.info(request, "You are verified. Renewal opens 30 days before your verification ends.")
        return redirect("verification:status")

    previous = open_application or member.applications.first()
    initial = {"sponsor_name": previous.sponsor_name, "sponsor_email": previous.sponsor_email} if previous else {}
    if open_application is not None:
        initial["statement"] = open_application.statement
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        applicant_emails=(member.email, profile.work_email),
    )
    if form.is_bound and form.is_valid():
        try:
            application = services.application_submit(
                member=member,
                sponsor_name=form.cleaned_data["sponsor_name"],
                sponsor_email=form.cleaned_data["sponsor_email"],
                statement=form.cleaned_data["statement"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if application.status == VerificationApplication.Status.APPROVED:
                messages.success(
                    request, "Your e-mail domain is pre-approved: you are verified. Accept the Rules of Behavior."
                )
                return redirect("verification:rules")
            messages.success(request, "Your application has been sent. We have asked your sponsor to confirm it.")
            return redirect("verification:status")
    return render(
        request,
        "verification/apply_form.html",
        {
            "form": form,
            "profile": profile,
            "open_application": open_application,
            "is_renewal": member.verified_until is not None,
        },
    )


@vetting_page
def rules_accept_page(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    rules = services.current_rules()
    access = member_access(member)
    may_accept = access.barrier not in NOT_VETTED
    acceptance = member.rules_acceptances.filter(rules=rules).first() if rules is not None else None
    form = RulesAcceptForm(
        request.POST if request.method == "POST" else None,
        initial={"version": rules.version if rules else None},
    )
    if form.is_bound and rules is not None:
        if not may_accept:
            messages.error(request, "Only verified members can accept the Rules of Behavior.")
            return redirect("verification:status")
        if form.is_valid():
            if form.cleaned_data["version"] != rules.version:
                messages.warning(request, "The Rules of Behavior changed while you were reading. Read the new version.")
                return redirect("verification:rules")
            services.rules_accept(member=member, rules=rules, request=request)
            messages.success(request, f"You accepted the Rules of Behavior, version {rules.version}.")
            return redirect("home")
    return render(
        request,
        "verification/rules.html",
        {"rules": rules, "form": form, "may_accept": may_accept, "acceptance": acceptance},
    )


def _sponsor_claims(application: VerificationApplication) -> list[tuple[str, str]]:
    """What the applicant claimed when they applied (the frozen snapshot, not today's profile)."""
    claimed = application.profile_snapshot
    affiliation = claimed.get("affiliation_type", "")
    discipline = claimed.get("discipline", "")
    jurisdiction = ", ".join(
        part for part in (claimed.get("jurisdiction_local"), claimed.get("jurisdiction_state")) if part
    )
    return [
        ("Name", application.member.display_name),
        ("Affiliation", AffiliationType(affiliation).label if affiliation in AffiliationType.values else affiliation),
        ("Discipline", Discipline(discipline).label if discipline in Discipline.values else discipline),
        ("Agency or organisation", claimed.get("organisation", "")),
        ("Title", claimed.get("title", "")),
        ("Jurisdiction", jurisdiction),
    ]


@public_page
@never_cache
def sponsor_answer_page(request: HttpRequest, token: str) -> HttpResponse:
    template = "verification/sponsor.html"
    try:
        application = services.application_from_sponsor_token(token)
    except signing.SignatureExpired:
        return render(request, template, {"state": "expired"}, status=410)
    except (signing.BadSignature, VerificationApplication.DoesNotExist):
        return render(request, template, {"state": "invalid"}, status=404)
    if application.sponsor_answer != VerificationApplication.SponsorAnswer.PENDING:
        return render(request, template, {"state": "answered"})

    form = SponsorAnswerForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.sponsor_answer(
                application=application, confirmed=form.confirmed, comment=form.cleaned_data["comment"]
            )
        except ValidationError:
            return render(request, template, {"state": "answered"})
        messages.success(request, "Thank you. Your answer has been recorded and passed to the verification team.")
        return redirect("verification:sponsor", token=token)
    return render(
        request,
        template,
        {
            "state": "open",
            "form": form,
            "application": application,
            "claims": _sponsor_claims(application),
            "deny_words": SponsorChoice.DENY.label,
        },
    )
