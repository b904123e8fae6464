#!/usr/bin/env python3
"""Write AWS's managed policies, as shipped in moto (PyPI), one JSON file each.

Usage: extract_managed_policies.py OUT_DIR
The files are a benchmark corpus only; they are generated, never committed.
"""
import json
import pathlib
import sys

from moto.iam.aws_managed_policies import aws_managed_policies_data


def main() -> int:
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    policies = json.loads(aws_managed_policies_data)
    for name, entry in policies.items():
        (out / f"{name}.json").write_text(json.dumps(entry["Document"], indent=2) + "\n")
    print(len(policies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
