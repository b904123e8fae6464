#!/usr/bin/env python3
"""Regenerate data/sam-policy-templates.json: the SAM policy templates (`S3ReadPolicy`,
`LambdaInvokePolicy`, …) that `AWS::Serverless::Function`'s `Policies` may name, from the
`aws-sam-translator` package (PyPI, Apache-2.0; the AWS SAM translator), which ships them
as data (samtranslator/policy_templates_data/policy_templates.json).

One template per line, sorted by name: `{"NAME": {"Parameters": [...], "Definition": {...}}}`
as compact JSON, so that a diff of a new release reads per template. iamlint embeds the
file and expands a template when a function names it. `--check`: only tell (exit 1)
whether the committed file is stale.
"""
import json
import pathlib
import sys

from pinned_wheel import pinned_wheel, write_or_check

PACKAGE = "aws-sam-translator"
PACKAGE_VERSION = "1.99.0"
OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "data/sam-policy-templates.json"


def load() -> dict:
    with pinned_wheel(PACKAGE, PACKAGE_VERSION) as archive:
        data = archive.read("samtranslator/policy_templates_data/policy_templates.json")
    return json.loads(data)["Templates"]


def render(templates: dict) -> bytes:
    lines = []
    for name in sorted(templates):
        entry = templates[name]
        compact = {
            "Parameters": sorted(entry.get("Parameters", {})),
            "Definition": entry["Definition"],
        }
        lines.append(json.dumps({name: compact}, separators=(",", ":"), sort_keys=True))
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    return write_or_check(OUTPUT, render(load()), "gen_sam_policy_templates.py")


if __name__ == "__main__":
    sys.exit(main())
