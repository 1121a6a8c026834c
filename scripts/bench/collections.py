#!/usr/bin/env python3
"""Listing a collection's documents and removing one, against a running stack (./engram up).

Times, over HTTP as a user sees them:
  1. GET /v1/collections, 20 times;
  2. a walk over every page of the collection's documents (GET /v1/collections/C/documents,
     --limit per page), after a first walk that warms up, each page timed, so a page deep in the
     collection can be compared with the first;
  3. DELETE of one active document (the first of the middle page), checked with a query for its
     own title: among the retrieved sources before, not after;
  4. with --restore, `./engram ingest CORPUS --collection C`, which stores the document again (the
     removal forgot it from every index), and the same query (retrieved again). It runs even when
     a check before it fails. Without --restore the document stays removed, and the command that
     stores it again is printed.
Prints one line per step and a summary line
`collections pages=… page_p50_ms=… page_p95_ms=… first_page_ms=… last_page_ms=… remove_ms=…`.
Exits 0 when the removal and the restore did what they say, 1 when a check fails, 2 on bad usage
or when the stack cannot be asked.

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
    except urllib.error.URLError as e:
        fail(f"cannot reach the API at {API} ({e.reason}); start the stack with ./engram up")
    millis = (time.perf_counter() - start) * 1000
    return status, (json.loads(payload) if payload else None), millis


def fail(message):
    """Stops with exit code 2: the stack could not be asked, nothing was checked."""
    print("error: " + message, file=sys.stderr)
    sys.exit(2)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def retrieved(collection, title):
    """The sources a query for title retrieves (its top 10 passages)."""
    # Fresh: a new document reaches cached answers only after their TTL (a removal drops them).
    status, answer, _ = call(
        "POST", "/v1/query", {"query": title, "collection": collection, "topK": 10}, fresh=True)
    if status != 200:
        fail(f"POST /v1/query answered {status}: {answer}")
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
            fail(f"GET /v1/collections answered {status}: {body}")
        lists.append(millis)
    print(f"GET /v1/collections x20: p50 {statistics.median(lists):.1f} ms")

    def walk_pages():
        pages, after, times = [], 0, []
        while True:
            status, page, millis = call(
                "GET",
                f"/v1/collections/{args.collection}/documents?limit={args.limit}&after={after}")
            if status != 200:
                fail(f"listing answered {status}: {page}")
            times.append(millis)
            pages.append(page.get("documents", []))
            if page.get("next") is None:
                return pages, times
            after = page["next"]

    walk_pages()  # warm-up: the first walk pays for cold caches and connections
    pages, walk = walk_pages()
    documents = sum(len(p) for p in pages)
    print(f"walked {documents} documents in {len(pages)} pages of {args.limit}:"
          f" {sum(walk) / 1000:.2f} s, page p50 {statistics.median(walk):.1f} ms,"
          f" p95 {percentile(walk, 95):.1f} ms, first {walk[0]:.1f} ms, last {walk[-1]:.1f} ms")

    middle = [d for d in pages[len(pages) // 2] if d["status"] == "active"]
    if not middle:
        fail("no active document in the middle page to remove")
    victim = middle[0]
    title = victim["title"] or victim["source"]
    before = victim["source"] in retrieved(args.collection, title)
    status, removed, remove_ms = call(
        "DELETE", f"/v1/collections/{args.collection}/documents/{victim['id']}")
    if status != 200:
        fail(f"DELETE answered {status}: {removed}")
    try:
        after = victim["source"] in retrieved(args.collection, title)
        ok = before and not after
        print(f"removed document {victim['id']} ({victim['source']}) with"
              f" {removed['chunksRemoved']} chunks in {remove_ms:.1f} ms; retrieved for its title"
              f" before: {before}, after: {after}")
    finally:
        if args.restore:
            start = time.perf_counter()
            run = subprocess.run([os.path.join(ROOT, "engram"), "ingest", args.restore,
                                  "--collection", args.collection, "--json"],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"./engram ingest failed: {run.stderr.strip()}")
            stored = json.loads(run.stdout)
            again = victim["source"] in retrieved(args.collection, title)
            print(f"restored by ./engram ingest in {time.perf_counter() - start:.1f} s:"
                  f" {stored['done']} stored again, {stored['skipped']} skipped;"
                  f" retrieved again: {again}")
        else:
            print(f"document {victim['id']} stays removed; to store it again:"
                  f" ./engram ingest CORPUS --collection {args.collection}")
    if args.restore:
        ok = ok and again and stored["done"] == 1

    print(f"collections pages={len(pages)} page_p50_ms={statistics.median(walk):.1f}"
          f" page_p95_ms={percentile(walk, 95):.1f} first_page_ms={walk[0]:.1f}"
          f" last_page_ms={walk[-1]:.1f} remove_ms={remove_ms:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
