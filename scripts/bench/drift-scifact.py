#!/usr/bin/env python3
"""Drift detection on SciFact, against a running stack (./engram up).

Sends 300 SciFact queries as live queries (the reference window of the serving model version: the
first queries it answers in the collection), then 300 other SciFact queries and checks for drift
(expected: no drift), then 300 generated off-domain questions and checks again (expected: drift).
The checks are `./engram drift check --collection C --json`; their reports are printed and
summarized. Exits 0 when both verdicts are as expected, 1 otherwise, 2 on bad usage.

The reference is the collection's first live queries, so the run needs a collection no live query
has asked yet: by default it ingests the SciFact corpus into its own collection, `scifact-drift`
(`./engram ingest`; unchanged text is not embedded again, the embedding cache has it), and refuses
a collection that already has logged queries.

usage: scripts/bench/drift-scifact.py [--data DIR] [--collection NAME] [--seed N]
  --data        the BEIR SciFact directory (default: ../shared/data/scifact)
  --collection  the collection to use (default: scifact-drift)
  --seed        shuffles the SciFact queries before they are split (default: 7)
Environment: ENGRAM_API_URL (default http://127.0.0.1:8080), as for ./engram.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API = os.environ.get("ENGRAM_API_URL", "http://127.0.0.1:8080").rstrip("/")
WINDOW = 300

# Off-domain questions: hobbies, sport, travel and household things SciFact never mentions; the
# same word lists as the integration test (api/src/test/.../DriftQuestions.java).
THINGS = ["sourdough starter", "penalty kick", "guitar pedal", "train ticket", "carburetor",
          "tomato seedling", "wool scarf", "chess opening", "skateboard", "camera lens",
          "espresso machine", "surfboard", "mountain bike", "tennis racket", "pizza oven",
          "violin bow", "sailing boat", "poker hand", "yoga mat", "hiking boots"]
VERBS = ["tune", "repair", "bake", "choose", "polish", "paint", "pack", "sharpen", "wax", "store"]
TEMPLATES = ["How do I {v} a {t} before the weekend?", "Which {t} should a beginner {v} first?",
             "Where can I {v} a cheap {t} in Lisbon?", "What is the fastest way to {v} my {t}?",
             "Should I {v} the {t} every season?", "Who taught the famous champion to {v} a {t}?"]


def off_domain(seed):
    out = [t.format(t=thing, v=verb) for t in TEMPLATES for thing in THINGS for verb in VERBS]
    random.Random(seed).shuffle(out)
    return out


def post(path, body):
    request = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def engram(*args):
    result = subprocess.run([os.path.join(ROOT, "engram"), *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"./engram {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def check(collection, reference, recent):
    """The drift report, once the query log holds the windows the run expects (it logs in the
    background, a few milliseconds behind the answers)."""
    for _ in range(60):
        report = json.loads(engram("drift", "check", "--collection", collection, "--json"))
        if report["referenceQueries"] >= reference and report["recentQueries"] >= recent:
            return report
        time.sleep(0.5)
    return report


def ask(collection, questions):
    started = time.monotonic()
    for q in questions:
        status, body = post("/v1/query", {"query": q, "collection": collection})
        if status != 200:
            sys.exit(f"POST /v1/query failed ({status}): {body}")
    return time.monotonic() - started


def show(label, report):
    verdict = {True: "DRIFT", False: "no drift", None: "insufficient data"}[report["drift"]]
    print(f"\n{label}: {verdict} ({report['status']}); reference {report['referenceQueries']},"
          f" recent {report['recentQueries']}, model version {report['modelVersion']}")
    print(f"  {'feature':20} {'PSI':>8} {'KS D':>7} {'p-value':>9} {'ref mean':>9} {'recent':>9}")
    for name, f in report["features"].items():
        print(f"  {name:20} {f['psi']:8.3f} {f['ksStatistic']:7.3f} {f['pValue']:9.2g}"
              f" {f['referenceMean']:9.3f} {f['recentMean']:9.3f}  {f['status']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "scifact"))
    parser.add_argument("--collection", default="scifact-drift")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    queries_file = os.path.join(args.data, "queries.jsonl")
    if not os.path.isfile(queries_file):
        print(f"cannot read {queries_file}; pass --data", file=sys.stderr)
        sys.exit(2)

    status, body = post("/v1/drift/checks", {"collection": args.collection})
    if status == 404:
        print(f"ingesting {args.data}/corpus.jsonl into '{args.collection}' ...")
        engram("ingest", os.path.join(args.data, "corpus.jsonl"), "--collection", args.collection)
    elif status != 200:
        sys.exit(f"POST /v1/drift/checks failed ({status}): {body}")
    elif body["referenceQueries"] > 0:
        print(f"'{args.collection}' already has {body['referenceQueries']} live queries of"
              f" {body['modelVersion']}: its reference is not this run's; use a new --collection",
              file=sys.stderr)
        sys.exit(2)

    with open(queries_file, encoding="utf-8") as f:
        scifact = [json.loads(line)["text"] for line in f if line.strip()]
    # SciFact's queries are sorted by text; shuffled, the two windows are samples of one population.
    random.Random(args.seed).shuffle(scifact)
    reference, in_domain = scifact[:WINDOW], scifact[WINDOW:2 * WINDOW]
    noise = off_domain(args.seed)[:WINDOW]

    seconds = ask(args.collection, reference)
    print(f"reference: {WINDOW} SciFact queries in {seconds:.1f} s")
    seconds = ask(args.collection, in_domain)
    print(f"recent: {WINDOW} other SciFact queries in {seconds:.1f} s")
    quiet = check(args.collection, WINDOW, WINDOW)
    show("300 SciFact vs 300 other SciFact queries", quiet)
    seconds = ask(args.collection, noise)
    print(f"\nrecent: {WINDOW} off-domain questions in {seconds:.1f} s")
    fired = check(args.collection, WINDOW, WINDOW)
    show("300 SciFact vs 300 off-domain questions", fired)

    ok = quiet["drift"] is False and fired["drift"] is True
    print("\n" + ("as expected: quiet in-domain, drift off-domain" if ok else "NOT as expected"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
