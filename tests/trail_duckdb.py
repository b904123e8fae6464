#!/usr/bin/env python3
"""DuckDB standing in for Athena in tests/trail.rs: load CloudTrail log files into a
table shaped like the one AWS documents for Athena (`cloudtrail_logs`, useridentity as a
struct, requestparameters and responseelements as JSON text), run the SQL read from
stdin, and write the result as CSV and as a JSON array.

    trail_duckdb.py LOGS_DIR RESULT.csv RESULT.json < query.sql
"""
import gzip
import json
import os
import sys

import duckdb

IDENTITY = (
    "STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, invokedby VARCHAR, "
    "accesskeyid VARCHAR, username VARCHAR, onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR), "
    "sessioncontext STRUCT(attributes STRUCT(mfaauthenticated VARCHAR, creationdate VARCHAR), "
    "sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), "
    "ec2roledelivery VARCHAR, webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR))))"
)
TEXT_COLUMNS = [
    "eventversion", "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress",
    "useragent", "errorcode", "errormessage", "requestparameters", "responseelements",
    "requestid", "eventid", "eventtype", "readonly", "recipientaccountid", "eventcategory",
]
# The struct's fields, to fill what a record leaves out with NULL.
SHAPE = {
    "type": None, "principalid": None, "arn": None, "accountid": None, "invokedby": None,
    "accesskeyid": None, "username": None,
    "onbehalfof": {"userid": None, "identitystorearn": None},
    "sessioncontext": {
        "attributes": {"mfaauthenticated": None, "creationdate": None},
        "sessionissuer": {"type": None, "principalid": None, "arn": None, "accountid": None, "username": None},
        "ec2roledelivery": None,
        "webidfederationdata": {"federatedprovider": None, "attributes": {}},
    },
}


def shaped(value, shape):
    """`value` (CloudTrail's camelCase keys) in the lower-case struct shape, as Athena's
    JSON SerDe maps it (case-insensitively); absent structs are NULL."""
    if not isinstance(shape, dict) or shape == {}:
        return value if not isinstance(value, (dict, list)) or shape == {} else json.dumps(value)
    if not isinstance(value, dict):
        return None
    lower = {k.lower(): v for k, v in value.items()}
    return {k: shaped(lower.get(k), sub) for k, sub in shape.items()}


def records(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            lower = name.lower()
            if not lower.endswith((".json", ".json.gz")) or "_cloudtrail-digest_" in lower:
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            doc = json.loads(data)
            if "Records" in doc:
                yield from doc["Records"]
            for event in doc.get("Events", []):
                yield json.loads(event["CloudTrailEvent"])


def row(record):
    lower = {k.lower(): v for k, v in record.items()}
    out = {}
    for column in TEXT_COLUMNS:
        value = lower.get(column)
        out[column] = json.dumps(value) if isinstance(value, (dict, list)) else (
            None if value is None else str(value).lower() if isinstance(value, bool) else str(value))
    out["useridentity"] = shaped(lower.get("useridentity"), SHAPE)
    return out


def main():
    logs, csv_path, json_path = sys.argv[1:4]
    sql = sys.stdin.read()
    con = duckdb.connect()
    columns = ", ".join([f"{c} VARCHAR" for c in TEXT_COLUMNS] + [f"useridentity {IDENTITY}"])
    con.execute(f"CREATE TABLE cloudtrail_logs ({columns})")
    names = TEXT_COLUMNS + ["useridentity"]
    placeholders = ", ".join("?" for _ in names)
    rows = [[r[n] for n in names] for r in map(row, records(logs))]
    con.executemany(f"INSERT INTO cloudtrail_logs ({', '.join(names)}) VALUES ({placeholders})", rows)
    # The query without its comments and final semicolon, as COPY's subquery.
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--")).rstrip().rstrip(";")
    con.execute(f"COPY ({body}) TO '{csv_path}' (HEADER, DELIMITER ',')")
    con.execute(f"COPY ({body}) TO '{json_path}' (FORMAT JSON, ARRAY true)")
    print(len(rows))


if __name__ == "__main__":
    main()
