"""Every read of the content domain, beside the services (every write): keyword-only functions
with plain arguments (a `cms.policies.Reader`, ids, page arguments), which decide the SQL and
leave per-request batching to their callers."""
