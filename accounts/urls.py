from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns: list = [
    path("", views.account, name="account"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("session/ended/", views.session_ended, name="session_ended"),
]

# Personal access tokens for the API (accounts.token_views).
from accounts import token_views  # noqa: E402

urlpatterns += [
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/new/", token_views.token_new, name="token_new"),
    path("tokens/revoke/", token_views.token_revoke, name="token_revoke"),
]
