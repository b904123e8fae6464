#!/usr/bin/env python3
"""Regenerate data/aws-managed-policies.tsv.gz: the default version of every AWS managed
policy, from the `moto` package (PyPI, Apache-2.0), which ships them as data.

One line per policy, sorted by ARN: `ARN<TAB>document as compact JSON`. gzip with a fixed
timestamp, so the same moto release always gives the same bytes. iamlint embeds the file
and decompresses it only when a dump or template names an AWS managed policy whose
document it does not carry. Usage:

    python3 scripts/gen_managed_policies.py           # rewrite the file
    python3 scripts/gen_managed_policies.py --check   # exit 1 if the committed file is stale
"""
import gzip
import json
import pathlib
import re
import sys

from pinned_wheel import pinned_wheel, write_or_check

PACKAGE = "moto"
PACKAGE_VERSION = "5.2.5"
OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "data/aws-managed-policies.tsv.gz"


def load() -> dict:
    with pinned_wheel(PACKAGE, PACKAGE_VERSION) as archive:
        source = archive.read("moto/iam/aws_managed_policies.py").decode()
    match = re.search(r'aws_managed_policies_data = """(.*)"""', source, re.S)
    return json.loads(match.group(1))


def render(policies: dict) -> bytes:
    lines = []
    for name, entry in policies.items():
        arn = f"arn:aws:iam::aws:policy{entry.get('Path', '/')}{name}"
        document = json.dumps(entry["Document"], separators=(",", ":"), sort_keys=False)
        lines.append(f"{arn}\t{document}\n")
    lines.sort()
    return gzip.compress("".join(lines).encode(), compresslevel=9, mtime=0)


def main() -> int:
    return write_or_check(OUTPUT, render(load()), "gen_managed_policies.py")


if __name__ == "__main__":
    sys.exit(main())
