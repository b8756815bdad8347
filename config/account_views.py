"""The reader's profile page among allauth's account pages: change the display name and
picture, or delete the account, through the same services as the GraphQL mutations."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cms.errors import DomainError
from cms.services.accounts import account_delete, account_update


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete" and request.POST.get("confirm") == "yes":
                account_delete(actor=request.user)
                logout(request)
                return redirect("account_login")
            account_update(actor=request.user, display_name=request.POST.get("display_name", ""),
                           avatar_url=request.POST.get("avatar_url", ""))
            return redirect("account_profile")
        except DomainError as refusal:
            error = refusal.message
    return render(request, "account/profile.html", {"account": request.user, "error": error},
                  status=400 if error else 200)
