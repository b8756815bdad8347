"""The Django project: settings, URLs and the WSGI/ASGI entry points. The content domain is
`cms`, the GraphQL layer `schema`."""
