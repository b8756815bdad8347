from oauth2_provider.oauth2_validators import OAuth2Validator

# A person whose address ends so has not verified it with the provider.
UNVERIFIED_DOMAIN = "@unverified.example"


class ClaimsValidator(OAuth2Validator):
    """The standard claims: name, e-mail and whether the provider verified it."""

    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request):
        user = request.user
        return {"name": user.get_full_name(), "preferred_username": user.username,
                "email": user.email,
                "email_verified": not user.email.endswith(UNVERIFIED_DOMAIN)}
