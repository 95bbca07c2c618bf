"""Staff sign-in, with django-axes brute-force protection behind the authentication backend."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator

from .forms import ConnexionForm


@method_decorator(login_not_required, name="dispatch")
class ConnexionView(auth_views.LoginView):
    form_class = ConnexionForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
