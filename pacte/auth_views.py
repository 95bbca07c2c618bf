"""Staff sign-in and password reset, behind django-axes (per username + IP) and pacte.ratelimit
(per username across IPs, per address for reset emails, per IP for the reset form)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator

from .forms import ConnexionForm
from .ratelimit import exceeded, hit, parse_rate, rate_for, ratelimit, refused, reset


def _compte(username: str) -> str:
    return username.strip().casefold()


@method_decorator(login_not_required, name="dispatch")
class ConnexionView(auth_views.LoginView):
    """Sign-in. django-axes locks a username + IP pair after AXES_FAILURE_LIMIT failures; on top,
    `RATELIMITS["connexion_compte"]` closes one username for a short window once too many
    failures came from all IPs together (password spraying from many addresses). The window is
    short and a password reset reopens it, so an attacker cannot keep the real user out for long."""

    form_class = ConnexionForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if username and exceeded("connexion_compte", _compte(username)):
            minutes = parse_rate(rate_for("connexion_compte"))[1] // 60
            return render(request, "registration/verrouille.html", {"minutes": minutes}, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username, password = self.request.POST.get("username", ""), self.request.POST.get("password", "")
        if username and password:  # a password was tried and refused
            hit("connexion_compte", _compte(username))
        return super().form_invalid(form)


@method_decorator([login_not_required, ratelimit("mot_de_passe")], name="dispatch")
class MotDePasseOublieView(auth_views.PasswordResetView):
    """« Mot de passe oublié » — the same answer whatever the address (no account enumeration).
    Per IP: `RATELIMITS["mot_de_passe"]` (the form comes back with the address and a 429). Per
    address: `RATELIMITS["mot_de_passe_compte"]` emails at most; beyond, nothing is sent but the
    page answers as usual, so the limit does not reveal whether the address has an account."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        if refused(request):
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not hit("mot_de_passe_compte", _compte(form.cleaned_data["email"])):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class NouveauMotDePasseView(auth_views.PasswordResetConfirmView):
    """A new password through the emailed link also reopens sign-in for that username at once."""

    def form_valid(self, form):
        reset("connexion_compte", _compte(self.user.get_username()))
        return super().form_valid(form)
