"""The sign-in page: a button for each single sign-on provider, and the password form.

Password sign-in is Django's LoginView (so django-axes counts failures as before), finished
through django-allauth's login flow, which asks for the second factor of those who have one.
"""

from allauth.account.utils import perform_login
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib.auth import views as auth_views

from accounts.sign_in import sign_in_failed_record
from hicm_portal.forms import STAFF_ONLY_CODE, LoginForm


class SignInView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        providers = get_social_adapter(self.request).list_providers(self.request)
        context["providers"] = [
            {"name": provider.name, "url": provider.get_login_url(self.request)}
            for provider in providers
        ]
        context["password_sign_in_off"] = settings.PASSWORD_SIGNIN_STAFF_ONLY
        return context

    def form_valid(self, form):
        return perform_login(
            self.request,
            form.get_user(),
            email_verification="none",
            redirect_url=self.get_success_url(),
        )

    def form_invalid(self, form):
        if form.has_error("__all__", STAFF_ONLY_CODE):
            sign_in_failed_record(
                user=form.get_user(),
                request=self.request,
                method="password",
                detail="Password log-in is for site administrators only",
            )
        return super().form_invalid(form)
