#!/usr/bin/env python3
"""Listing a collection's documents and removing one, against a running stack (./engram up).

Times, over HTTP as a user sees them:
  1. GET /v1/collections, 20 times;
  2. a walk over every page of the collection's documents (GET /v1/collections/C/documents,
     --limit per page), each page timed, so a page deep in the collection can be compared with the
     first;
  3. DELETE of one active document (the first of the middle page), then a query for its own title
     (it must not be cited any more);
  4. with --restore, `./engram ingest CORPUS --collection C`, which stores the document again (the
     removal forgot it from every index), and the same query (it must be cited again).
Prints one line per step and a summary line
`collections pages=… page_p50_ms=… page_p95_ms=… first_page_ms=… last_page_ms=… remove_ms=…`.
Exits 0 when the removal and the restore did what they say, 1 otherwise, 2 on bad usage.

usage: scripts/bench/collections.py [--collection NAME] [--limit N] [--restore CORPUS]
Environment: ENGRAM_API_URL (default http://127.0.0.1:8080), ENGRAM_API_KEY, as for ./engram.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API = os.environ.get("ENGRAM_API_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ.get("ENGRAM_API_KEY")


def call(method, path, body=None, fresh=False):
    """(status, json, milliseconds) of one request; fresh: not from the response cache."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(API + path, data=data, method=method)
    request.add_header("Accept", "application/json")
    if fresh:
        request.add_header("Cache-Control", "no-cache")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if KEY:
        request.add_header("Authorization", "Bearer " + KEY)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        payload = e.read()
        status = e.code
    millis = (time.perf_counter() - start) * 1000
    return status, (json.loads(payload) if payload else None), millis


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cited(collection, title):
    # Fresh: a new document reaches cached answers only after their TTL (a removal drops them).
    status, answer, _ = call(
        "POST", "/v1/query", {"query": title, "collection": collection, "topK": 10}, fresh=True)
    if status != 200:
        sys.exit(f"error: POST /v1/query answered {status}: {answer}")
    return [s["source"] for s in answer["sources"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", default="scifact")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--restore", metavar="CORPUS",
                        help="ingest CORPUS into the collection afterwards, to store it again")
    args = parser.parse_args()
    if not 1 <= args.limit <= 500:
        parser.error("--limit must be within 1 and 500")

    lists = []
    for _ in range(20):
        status, body, millis = call("GET", "/v1/collections")
        if status != 200:
            sys.exit(f"error: GET /v1/collections answered {status}: {body}; is the stack up?")
        lists.append(millis)
    print(f"GET /v1/collections x20: p50 {statistics.median(lists):.1f} ms")

    pages, after, walk = [], 0, []
    while True:
        status, page, millis = call(
            "GET", f"/v1/collections/{args.collection}/documents?limit={args.limit}&after={after}")
        if status != 200:
            sys.exit(f"error: listing answered {status}: {page}")
        walk.append(millis)
        pages.append(page["documents"])
        if page.get("next") is None:
            break
        after = page["next"]
    documents = sum(len(p) for p in pages)
    print(f"walked {documents} documents in {len(pages)} pages of {args.limit}:"
          f" {sum(walk) / 1000:.2f} s, page p50 {statistics.median(walk):.1f} ms,"
          f" p95 {percentile(walk, 95):.1f} ms, first {walk[0]:.1f} ms, last {walk[-1]:.1f} ms")

    middle = [d for d in pages[len(pages) // 2] if d["status"] == "active"]
    if not middle:
        sys.exit("error: no active document in the middle page to remove")
    victim = middle[0]
    title = victim["title"] or victim["source"]
    before = cited(args.collection, title)
    status, removed, remove_ms = call(
        "DELETE", f"/v1/collections/{args.collection}/documents/{victim['id']}")
    if status != 200:
        sys.exit(f"error: DELETE answered {status}: {removed}")
    after_removal = cited(args.collection, title)
    ok = victim["source"] not in after_removal
    print(f"removed document {victim['id']} ({victim['source']}) with"
          f" {removed['chunksRemoved']} chunks in {remove_ms:.1f} ms; cited for its title before:"
          f" {victim['source'] in before}, after: {not ok}")

    if args.restore:
        start = time.perf_counter()
        run = subprocess.run([os.path.join(ROOT, "engram"), "ingest", args.restore,
                              "--collection", args.collection, "--json"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"error: ./engram ingest failed: {run.stderr.strip()}")
        status_body = json.loads(run.stdout)
        restored = victim["source"] in cited(args.collection, title)
        ok = ok and restored and status_body["done"] == 1
        print(f"restored by ./engram ingest in {time.perf_counter() - start:.1f} s:"
              f" {status_body['done']} stored again, {status_body['skipped']} skipped;"
              f" cited again: {restored}")

    print(f"collections pages={len(pages)} page_p50_ms={statistics.median(walk):.1f}"
          f" page_p95_ms={percentile(walk, 95):.1f} first_page_ms={walk[0]:.1f}"
          f" last_page_ms={walk[-1]:.1f} remove_ms={remove_ms:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
