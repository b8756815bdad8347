"""The extra field of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

from django import forms


class ReaderSignupForm(forms.Form):
    display_name = forms.CharField(max_length=150, required=False, label="Display name",
                                   help_text="Shown with your comments.")

    def signup(self, request, user) -> None:
        """The display name is saved with the account (config.accounts.ReaderAccountAdapter)."""
