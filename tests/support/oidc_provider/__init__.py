"""A real OpenID Connect provider for the sign-in tests: a small Django project of its own
(django-oauth-toolkit), run as a separate process by `OidcProvider` (server.py) with its own
SQLite database and an RS256 key made at start. Never a mock of the protocol."""
