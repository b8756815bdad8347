"""Fetch the playground's GraphiQL and React files from the npm registry (with `npm pack`) into
HEARTH_PLAYGROUND_DIR, so Hearth serves the playground itself, offline and under a strict CSP."""

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schema.http.playground import VENDOR, asset_dir


def tarball_name(package: str) -> str:
    """What `npm pack` calls a package's tarball: @scope/name@1.0 -> scope-name-1.0.tgz."""
    name, version = package.rsplit("@", 1)
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


class Command(BaseCommand):
    help = "Install the GraphiQL playground's assets from npm into HEARTH_PLAYGROUND_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--target", help="Install here instead of HEARTH_PLAYGROUND_DIR.")

    def handle(self, *args, target: str | None = None, **options):
        npm = shutil.which("npm")
        if npm is None:
            raise CommandError("npm is needed (apt-get install npm).")
        target_dir = Path(target) if target else asset_dir()
        target_dir.mkdir(parents=True, exist_ok=True)
        packages = sorted({package for package, _ in VENDOR.values()})
        with tempfile.TemporaryDirectory() as work:
            result = subprocess.run([npm, "pack", "--silent", *packages], cwd=work,  # noqa: S603
                                    capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                raise CommandError(f"npm pack failed: {result.stderr.strip()}")
            for name, (package, member) in VENDOR.items():
                with tarfile.open(Path(work) / tarball_name(package)) as tar:
                    source = tar.extractfile(member)
                    if source is None:
                        raise CommandError(f"{member} is missing from {package}.")
                    (target_dir / name).write_bytes(source.read())
        self.stdout.write(f"Installed the playground ({', '.join(packages)}) in {target_dir}.")
