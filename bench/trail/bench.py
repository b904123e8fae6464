#!/usr/bin/env python3
"""Time `iamlint trail` against jq and a short Python script (select_calls.py) on the same
generated logs: wall time (median of RUNS), throughput in uncompressed MB/s, peak RSS
(GNU time, of the process doing the selection), and a check that all three select the
same number of calls. Called by bench/trail/run."""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def timed(command, rss_file):
    start = time.perf_counter()
    out = subprocess.run(command, shell=True, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    return wall, rss_kib, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--logs", required=True)
    parser.add_argument("--bytes", type=int, required=True, help="uncompressed size of the logs")
    parser.add_argument("--iamlint", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1, help="runs of jq and Python (slow)")
    args = parser.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp()
    rss = os.path.join(work, "rss")
    gtime = f"/usr/bin/time -f %M -o {rss}"
    first = subprocess.run([args.iamlint, "trail", args.logs, "--format", "json", "--fail-on", "never"],
                           check=True, capture_output=True, text=True).stdout
    report = json.loads(first)
    names = json.dumps([n.split(":", 1)[1] for n in report["monitored"]])
    files = f"find {args.logs} -name '*.json.gz' -print0 | xargs -0 cat"
    jq_filter = ('.Records[] | select(.eventSource == "ecs.amazonaws.com" and (.eventName as $n | $names | index($n)))'
                 ' | [(.userIdentity.sessionContext.sessionIssuer.arn // .userIdentity.arn), .eventName, .errorCode]')
    commands = [
        ("floor: decompress (`gzip -dc`)", f"{files} | {gtime} gzip -dc | wc -c", None, args.runs),
        ("`iamlint trail --format json`",
         f"{gtime} {args.iamlint} trail {args.logs} --format json --fail-on never", "iamlint", args.runs),
        ("`jq` (after `gzip -dc`)",
         f"{files} | gzip -dc | {gtime} jq -c --argjson names '{names}' '{jq_filter}' | wc -l", "lines",
         args.peer_runs),
        ("Python `json` + `gzip` (select_calls.py)", f"{gtime} python3 {here}/select_calls.py {args.logs} '{names}'", "lines",
         args.peer_runs),
    ]
    rows = []
    for label, command, kind, runs in commands:
        walls, peak, out = [], 0, ""
        for _ in range(runs):
            wall, rss_kib, out = timed(command, rss)
            walls.append(wall)
            peak = max(peak, rss_kib)
        if kind == "iamlint":
            selected = json.loads(out)["selected"]
        elif kind == "lines":
            selected = int(out.split()[-1])
        else:
            selected = None
        rows.append((label, statistics.median(walls), peak, selected))
    mib = args.bytes / (1024 * 1024)
    iamlint_wall = rows[1][1]
    print(f"{mib:.0f} MiB uncompressed CloudTrail in {report['files']} gzipped files, "
          f"{report['records']} records; {os.cpu_count()} cores; median of {args.runs} runs "
          f"({args.peer_runs} of jq and Python)")
    print()
    print("| command | median | throughput | peak RSS | selected | time vs iamlint |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, wall, peak, selected in rows:
        print(f"| {label} | {wall:.2f} s | {mib / wall:.0f} MiB/s | {peak / 1024:.1f} MiB | "
              f"{'' if selected is None else selected} | {wall / iamlint_wall:.2f}× |")
    counts = {s for _, _, _, s in rows if s is not None}
    if len(counts) != 1:
        raise SystemExit(f"the three selections differ: {counts}")


if __name__ == "__main__":
    main()
