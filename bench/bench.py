#!/usr/bin/env python3
"""Times whole processes (median, min, max over several runs) and their peak RSS, and
prints a table of ratios. Called by bench/run, which prepares the corpus and the peers."""
import argparse
import json
import os
import pathlib
import resource
import shlex
import signal
import statistics
import subprocess
import tempfile
import time

IAMLINT = "target/release/iamlint"
FLOOR = "target/release/examples/parse_floor"
DUMP_SIZES = (1000, 10000, 100000)


def limit_memory():
    """Children may use at most 3/4 of the machine's memory: a run that needs more fails
    (and its row says so) instead of taking the machine down."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    resource.setrlimit(resource.RLIMIT_AS, (total * 3 // 4, resource.RLIM_INFINITY))


class Failed(Exception):
    pass


def exit_status(code):
    # A run over the memory limit aborts (Rust's allocation failure is SIGABRT).
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"


def run_once(argv, limited=True):
    """Seconds one run of argv took. Without the memory limit (`limited=False`, for the
    startup rows) Python starts the child with posix_spawn instead of fork and exec: a
    few milliseconds less of this process's own cost in a row of milliseconds."""
    start = time.perf_counter()
    code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          preexec_fn=limit_memory if limited else None).returncode
    took = time.perf_counter() - start
    if code not in (0, 1):
        raise Failed(f"{exit_status(code)} after {took:.1f} s")
    return took


def peak_rss(argv):
    """Peak RSS in MiB, from one run under /usr/bin/time: a child forked from this Python
    process would count Python's own pages too."""
    with tempfile.NamedTemporaryFile("r") as rss:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=limit_memory)
        return int(rss.read().strip().splitlines()[-1]) / 1024


def measure(argv, runs, limited=True):
    """Run argv `runs` times; return (seconds per run, peak RSS in MiB)."""
    return [run_once(argv, limited) for _ in range(runs)], peak_rss(argv)


def measure_interleaved(cases, runs):
    """Run each (name, argv) once per round, `runs` rounds: the ratios between these
    quick commands are what the table is read for, and the machine's speed drifts from
    minute to minute (on the 2-core development VM by up to 1.5x); side by side, each
    round sees the same state. Returns {name: (times, peak)} and {name: why it failed}."""
    times = {name: [] for name, _ in cases}
    failed = {}
    for _ in range(runs):
        for name, argv in cases:
            if name in failed:
                continue
            try:
                times[name].append(run_once(argv))
            except Failed as e:
                failed[name] = str(e)
    measured = {name: (times[name], peak_rss(argv)) for name, argv in cases if name not in failed}
    return measured, failed


def graph_work(argv):
    """What the transitive review found, from one JSON run: (principals with `paths`,
    `ecs-config-change-indirect*` findings)."""
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=limit_memory)
    if out.returncode not in (0, 1):
        raise Failed(exit_status(out.returncode))
    report = json.loads(out.stdout)
    with_paths = sum(1 for s in report["subjects"] if s.get("paths"))
    indirect = sum(1 for f in report["findings"] if f["rule"].startswith("ecs-config-change-indirect"))
    return with_paths, indirect


def auth_details(corpus: pathlib.Path, out: pathlib.Path):
    """The corpus as one `get-account-authorization-details` document (cloudsplaining's input)."""
    policies = []
    for i, path in enumerate(sorted(corpus.glob("*.json"))):
        policies.append({
            "PolicyName": path.stem, "PolicyId": f"ANPA{i:016d}",
            "Arn": f"arn:aws:iam::aws:policy/{path.stem}", "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": "2020-01-01T00:00:00Z", "UpdateDate": "2020-01-01T00:00:00Z",
            "PolicyVersionList": [{"Document": json.loads(path.read_text()), "VersionId": "v1",
                                   "IsDefaultVersion": True, "CreateDate": "2020-01-01T00:00:00Z"}],
        })
    out.write_text(json.dumps({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": policies}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", required=True)
    parser.add_argument("--venv", required=True)
    parser.add_argument("--sizes", default=",".join(map(str, DUMP_SIZES)),
                        help="principals of the generated dumps, comma-separated")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",") if n]
    work = pathlib.Path(args.work)
    corpus = work / "corpus"
    files = sorted(corpus.glob("*.json"))
    size = sum(f.stat().st_size for f in files)
    dump = work / "authdetails.json"
    auth_details(corpus, dump)
    for n in sizes:
        subprocess.run(["python3", "bench/gen_dump.py", str(n), str(work / f"dump-{n}.json")], check=True)
    out = work / "cloudsplaining-out"
    out.mkdir()
    venv = pathlib.Path(args.venv)
    small = files[0]
    # The corpus as a repository of its own, for `check --baseline`: HEAD is the files as
    # they are (nothing changed: the usual pull request touches few files), HEAD~1 the same
    # files each with one more trailing newline (every file changed, the same access: the
    # whole base is read from git and checked again).
    git = ["git", "-C", str(corpus), "-c", "user.name=bench", "-c", "user.email=bench@iamlint.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    texts = {f: f.read_bytes() for f in files}
    for f, text in texts.items():
        f.write_bytes(text + b"\n")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "reformatted"], check=True)
    for f, text in texts.items():
        f.write_bytes(text)
    subprocess.run([*git, "commit", "-q", "-a", "-m", "corpus"], check=True)
    # Packed, as in a clone.
    subprocess.run([*git, "gc", "-q"], check=True)
    in_corpus = f"cd {shlex.quote(str(corpus))} && exec {shlex.quote(os.path.abspath(IAMLINT))} check --format json"

    # Run side by side, round after round (see measure_interleaved): 5x the runs, as
    # each takes well under a second.
    interleaved = [
        ("floor: cat the files", ["sh", "-c", f"cat {corpus}/*.json > /dev/null"]),
        ("floor: read + serde_json parse", [FLOOR, str(corpus)]),
        ("iamlint check (human)", [IAMLINT, "check", str(corpus)]),
        ("iamlint check --format json", [IAMLINT, "check", "--format", "json", str(corpus)]),
        ("iamlint check --format json (in the corpus repo)", ["sh", "-c", f"{in_corpus} ."]),
        ("iamlint check --format json --baseline HEAD", ["sh", "-c", f"{in_corpus} --baseline HEAD ."]),
        ("iamlint check --format json --baseline HEAD~1", ["sh", "-c", f"{in_corpus} --baseline HEAD~1 ."]),
    ]
    interleaved_runs = 5 * args.runs
    cases = [
        *[(name, argv, interleaved_runs) for name, argv in interleaved],
        ("parliament --directory", [str(venv / "bin/parliament"), "--directory", str(corpus), "--json"], args.runs),
        ("cloudsplaining scan (same policies as a dump)",
         [str(venv / "bin/cloudsplaining"), "scan", "-i", str(dump), "-s", "-o", str(out)], max(1, args.runs // 2)),
        ("iamlint account --from (same dump as cloudsplaining)", [IAMLINT, "account", "--format", "json", "--from", str(dump)], args.runs),
        *[(f"iamlint account --from dump ({n:,} principals)",
           [IAMLINT, "account", "--format", "json", "--from", str(work / f"dump-{n}.json")], args.runs)
          for n in sizes],
        ("startup: iamlint --version", [IAMLINT, "--version"], 50),
        ("startup: iamlint check one small file", [IAMLINT, "check", str(small)], 50),
    ]
    print(f"corpus: {len(files)} AWS managed policies from moto 5.2.5, {size / 1e6:.1f} MB; "
          f"{args.runs} runs each (the check and its floors: {interleaved_runs}, interleaved; "
          f"startup: 50); {os.cpu_count()} CPUs")
    results = {}
    measured, failed = measure_interleaved(interleaved, interleaved_runs)
    for name, (times, rss) in measured.items():
        results[name] = (statistics.median(times), min(times), max(times), rss)
    # For the generated dumps: principals with paths, indirect findings.
    work_done = {}
    for name, argv, runs in cases[len(interleaved):]:
        try:
            times, rss = measure(argv, runs, limited=not name.startswith("startup:"))
        except Failed as e:
            failed[name] = str(e)
            continue
        results[name] = (statistics.median(times), min(times), max(times), rss)
        if name.startswith("iamlint account --from dump ("):
            try:
                work_done[name] = graph_work(argv)
            except Failed as e:
                failed[name] = str(e)

    base = results["iamlint check --format json"][0]
    floor = results["floor: read + serde_json parse"][0]
    print(f"\n| {'command':48} | {'median':>9} | {'min':>9} | {'max':>9} | {'peak RSS':>9} | {'vs iamlint json':>15} "
          f"| {'with paths':>10} | {'indirect':>8} |")
    print(f"|{'-' * 50}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 17}|{'-' * 12}|{'-' * 10}|")
    for name, _, _ in cases:
        if name not in results:
            print(f"| {name:48} | failed: {failed[name]} |")
            continue
        median, low, high, rss = results[name]
        ratio = f"{median / base:.2f}x"
        paths, indirect = (f"{v:,}" for v in work_done[name]) if name in work_done else ("", "")
        print(f"| {name:48} | {median * 1000:7.1f}ms | {low * 1000:7.1f}ms | {high * 1000:7.1f}ms | {rss:6.1f}MiB | {ratio:>15} "
              f"| {paths:>10} | {indirect:>8} |")
    print()
    print(f"iamlint check is {results['parliament --directory'][0] / base:.0f}x faster than parliament on the same files")
    same_dump = results["iamlint account --from (same dump as cloudsplaining)"][0]
    print(f"iamlint account is {results['cloudsplaining scan (same policies as a dump)'][0] / same_dump:.0f}x faster "
          f"than cloudsplaining on the same dump ({results['cloudsplaining scan (same policies as a dump)'][0] / base:.0f}x "
          f"vs iamlint check on the files)")
    print(f"iamlint takes {base / floor:.1f}x the read+parse floor")
    plain = results.get("iamlint check --format json (in the corpus repo)")
    for rev, what in (("HEAD", "no file changed"), ("HEAD~1", "every file changed")):
        against = results.get(f"iamlint check --format json --baseline {rev}")
        if plain and against:
            print(f"check --baseline {rev} ({what}) takes {against[0] / plain[0]:.2f}x a plain check "
                  f"(target: at most 2.2x)")
    dumps = [n for n in sizes if f"iamlint account --from dump ({n:,} principals)" in results]
    if len(dumps) > 1:
        small_dump, large_dump = (results[f"iamlint account --from dump ({n:,} principals)"][0] for n in (dumps[0], dumps[-1]))
        print(f"account review: {dumps[-1] // dumps[0]}x the principals take {large_dump / small_dump:.1f}x the time")
    for name, why in failed.items():
        print(f"failed: {name}: {why}")


if __name__ == "__main__":
    main()
