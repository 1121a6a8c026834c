#!/usr/bin/env python3
"""Prints where a retraining's time went, from its Temporal history.

Reads the JSON history of one RetrainingWorkflow run (``temporal workflow show --output json``
or a history file) and prints the wall time of each phase (decide, check, study, search,
register, the champion's and the candidate's held-out evaluations, judge) and of each trial
activity, with its attempts. Nothing is sent anywhere; the figures go to stdout.

Usage:
  scripts/bench/retrain-timeline.py HISTORY.json
  temporal workflow show -w retrain-scifact --output json | scripts/bench/retrain-timeline.py -
"""
import argparse
import base64
import datetime as dt
import json
import sys

PHASES = {
    "RetrainDecide": "decide",
    "RetrainCheckData": "check the data",
    "RetrainCreateStudy": "create the study",
    "RetrainRegister": "register the best bundle",
    "RetrainJudge": "judge the gates",
}


def when(event):
    t = event["eventTime"]
    return dt.datetime.fromisoformat(t.replace("Z", "+00:00"))


def trial_number(payloads):
    """The trial number: the second argument of RetrainRunTrial(studyId, number, job)."""
    try:
        return int(json.loads(base64.b64decode(payloads["payloads"][1]["data"])))
    except (KeyError, IndexError, TypeError, ValueError):
        return -1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", help="history JSON file, or - for stdin")
    args = parser.parse_args()
    raw = sys.stdin.read() if args.history == "-" else open(args.history).read()
    doc = json.loads(raw)
    events = doc["events"] if isinstance(doc, dict) else doc
    by_id = {int(e["eventId"]): e for e in events}
    start, end = when(events[0]), when(events[-1])

    def attrs(e, key):
        return e.get(key) or {}

    scheduled = {}
    rows = []
    trials = []
    children = {}
    for e in events:
        et = e["eventType"]
        if et in ("EVENT_TYPE_ACTIVITY_TASK_SCHEDULED", "ActivityTaskScheduled"):
            a = attrs(e, "activityTaskScheduledEventAttributes")
            scheduled[int(e["eventId"])] = (a["activityType"]["name"], a.get("input"))
        elif et in ("EVENT_TYPE_ACTIVITY_TASK_COMPLETED", "EVENT_TYPE_ACTIVITY_TASK_FAILED",
                    "ActivityTaskCompleted", "ActivityTaskFailed"):
            a = attrs(e, "activityTaskCompletedEventAttributes") or attrs(
                e, "activityTaskFailedEventAttributes")
            sid = int(a["scheduledEventId"])
            started = by_id[int(a["startedEventId"])]
            attempt = attrs(started, "activityTaskStartedEventAttributes").get("attempt", 1)
            name, _ = scheduled[sid]
            took = (when(e) - when(by_id[sid])).total_seconds()
            if name == "RetrainRunTrial":
                trials.append((trial_number(scheduled[sid][1]), took, attempt, "failed" in et.lower()))
            elif name in PHASES:
                rows.append((PHASES[name], took))
        elif et in ("EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED",
                    "StartChildWorkflowExecutionInitiated"):
            a = attrs(e, "startChildWorkflowExecutionInitiatedEventAttributes")
            children[int(e["eventId"])] = a["workflowId"]
        elif et in ("EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED",
                    "ChildWorkflowExecutionCompleted"):
            a = attrs(e, "childWorkflowExecutionCompletedEventAttributes")
            init = int(a["initiatedEventId"])
            wid = children[init]
            if wid.endswith("-index") or wid.endswith("/index"):
                which = "rebuild the candidate index"
            elif "-run" in wid.rsplit("-eval-", 1)[-1]:
                version, run = wid.rsplit("-eval-", 1)[-1].split("-run", 1)
                which = "evaluation of " + version + " on stored run " + run
            else:
                which = "held-out evaluation of " + wid.rsplit("-eval-", 1)[-1]
            rows.append((which, (when(e) - when(by_id[init])).total_seconds()))

    if trials:
        first = min(when(by_id[s]) for s, (n, _) in scheduled.items() if n == "RetrainRunTrial")
        last = max(when(e) for e in events
                   if e["eventType"] in ("EVENT_TYPE_ACTIVITY_TASK_COMPLETED", "ActivityTaskCompleted")
                   and scheduled.get(int(attrs(e, "activityTaskCompletedEventAttributes")
                                         .get("scheduledEventId", 0)), ("", None))[0]
                   == "RetrainRunTrial")
        rows.insert(3 if len(rows) >= 3 else len(rows),
                    ("search (%d trials)" % len(trials), (last - first).total_seconds()))
    print("%-40s %10s" % ("phase", "seconds"))
    for name, took in rows:
        print("%-40s %10.1f" % (name, took))
    print("%-40s %10.1f" % ("total (workflow start to close)", (end - start).total_seconds()))
    if trials:
        print()
        print("%-8s %10s %8s" % ("trial", "seconds", "attempt"))
        for n, took, attempt, failed in sorted(trials):
            print("%-8d %10.1f %8s%s" % (n, took, attempt, "  failed" if failed else ""))


if __name__ == "__main__":
    main()
