"""Prints the numbers of one schemathesis run from its NDJSON events, and fails when any
response was a 5xx or any check failed.

Usage: summary.py NAME EVENTS.ndjson SCHEMATHESIS_EXIT_STATUS
"""

import json
import sys


def main():
    name, events, exit_status = sys.argv[1], sys.argv[2], int(sys.argv[3])
    operations = set()
    requests = 0
    server_errors = 0
    # A failure counts once per operation, check and status, as schemathesis reports it: the
    # same refusal found by many generated cases is one mismatch in the document.
    failures = set()
    errors = []
    with open(events, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            kind, body = next(iter(event.items()))
            if kind == "NonFatalError":
                errors.append(body.get("label") or body.get("info", {}).get("message", "error"))
            if kind != "ScenarioFinished":
                continue
            recorder = body["recorder"]
            label = recorder["label"]
            if body.get("phase") != "stateful":
                operations.add(label)
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                if response is None:
                    continue
                requests += 1
                status = response["status_code"]
                if status >= 500:
                    server_errors += 1
            for case_id, checks in recorder.get("checks", {}).items():
                for check in checks:
                    if check["status"] != "failure":
                        continue
                    interaction = recorder.get("interactions", {}).get(case_id) or {}
                    status = (interaction.get("response") or {}).get("status_code")
                    failure = check.get("failure_info", {}).get("failure", {})
                    failures.add(
                        (failure.get("operation") or label, failure.get("code", check["name"]), status)
                    )
    failed_operations = {operation for operation, _, _ in failures}
    print(
        f"conformance: {name}: {len(operations)} operations, {requests} requests, "
        f"{server_errors} 5xx, {len(failures)} mismatches over {len(failed_operations)} operations"
    )
    for operation, code, status in sorted(failures, key=str):
        print(f"  {code} {operation} -> {status}")
    for error in errors:
        print(f"  error: {error}")
    # schemathesis exits 1 on a failed check and other codes on its own errors (an unreadable
    # document, say), which must not pass as a clean run either.
    bad = server_errors or failures or errors or exit_status != 0 or not operations
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
