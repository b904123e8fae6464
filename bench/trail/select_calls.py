#!/usr/bin/env python3
"""The selection of `iamlint trail`, done the short way for comparison: every *.json.gz
under DIR, json.load per file, monitored ECS calls counted per actor, action and error.

    select_calls.py DIR NAMES_JSON   (NAMES_JSON: ["UpdateService", …]); prints the count
"""
import collections
import gzip
import json
import os
import sys

root, names = sys.argv[1], set(json.loads(sys.argv[2]))
counts = collections.Counter()
for folder, _, files in os.walk(root):
    for name in files:
        if not name.endswith(".json.gz"):
            continue
        with gzip.open(os.path.join(folder, name)) as f:
            for r in json.load(f)["Records"]:
                if r["eventSource"] == "ecs.amazonaws.com" and r["eventName"] in names:
                    who = r["userIdentity"]
                    actor = (who.get("sessionContext") or {}).get("sessionIssuer", {}).get("arn") or who.get("arn")
                    counts[(actor, r["eventName"], r.get("errorCode"))] += 1
print(sum(counts.values()))
