"""The GraphiQL playground served by Hearth itself, for machines without internet access and
under a strict Content-Security-Policy.

`manage.py install_playground` (or `make playground`) fetches GraphiQL and React from the npm
registry into HEARTH_PLAYGROUND_DIR (var/playground); they are never committed. When they are
there, browsers asking /graphql/ for HTML get a page whose scripts and styles all come from
Hearth, with a CSP that allows nothing else. Without them (no npm, no registry), browsers get
a page that says so and how to install them, never a playground that loads for ever from a CDN
it cannot reach. `make run` installs them when it can.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse

# file name served: (npm package, path inside its tarball)
VENDOR = {
    "react.production.min.js": ("react@18.2.0", "package/umd/react.production.min.js"),
    "react-dom.production.min.js": ("react-dom@18.2.0",
                                    "package/umd/react-dom.production.min.js"),
    "graphiql.min.js": ("graphiql@3.8.3", "package/graphiql.min.js"),
    "graphiql.min.css": ("graphiql@3.8.3", "package/graphiql.min.css"),
    "explorer.umd.js": ("@graphiql/plugin-explorer@1.0.2", "package/dist/index.umd.js"),
    "explorer.css": ("@graphiql/plugin-explorer@1.0.2", "package/dist/style.css"),
}
OWN = {name: Path(__file__).with_name(name) for name in ["playground.js", "playground.css"]}

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")


def asset_dir() -> Path:
    return Path(settings.HEARTH_PLAYGROUND_DIR)


def installed() -> bool:
    return all((asset_dir() / name).is_file() for name in VENDOR)


def render(request):
    """The self-hosted playground page, or the page saying how to install it."""
    if not installed():
        response = HttpResponse(render_to_string("hearth/playground_missing.html", {
            "endpoint": request.path, "directory": asset_dir()}, request=request))
        response["Content-Security-Policy"] = CSP
        response["Cache-Control"] = "no-cache"
        return response
    urls = {name.replace(".", "_").replace("-", "_"): reverse("playground-asset", args=[name])
            for name in [*VENDOR, *OWN]}
    html = render_to_string("hearth/playground.html", {"assets": urls,
                                                       "endpoint": request.path})
    response = HttpResponse(html)
    response["Content-Security-Policy"] = CSP
    response["Cache-Control"] = "no-cache"
    return response


def asset(request, name: str):
    """One playground file, from HEARTH_PLAYGROUND_DIR or from Hearth's own."""
    if name in VENDOR:
        path = asset_dir() / name
    elif name in OWN:
        path = OWN[name]
    else:
        raise Http404("No such playground file.")
    if not path.is_file():
        raise Http404("The playground is not installed: run `manage.py install_playground`.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
