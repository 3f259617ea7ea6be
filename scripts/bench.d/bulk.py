"""scripts/bench --bulk: import, export and revert of N resources with 10 keys and 2 tags each,
through the REST API of a release server on a new data directory. Prints each step's time and
the server's peak RSS growth; passes or fails on nothing.

Usage: bulk.py SITEBOOK_BINARY [N]
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    data = tempfile.mkdtemp(prefix="sitebook-bulk-")
    env = dict(os.environ, SITEBOOK_DATA_DIR=data)
    for name in ("SITEBOOK_DATABASE_URL", "SITEBOOK_ADDR", "SITEBOOK_PUBLIC_URL"):
        env.pop(name, None)
    token = subprocess.run(
        [binary, "token", "create", "--name", "bulk", "--role", "admin", "--data-dir", data],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/v1"
    server = subprocess.Popen(
        [binary], env=dict(env, SITEBOOK_ADDR=f"127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def call(method, path, body=None, content_type="application/json", timeout=600):
        request = urllib.request.Request(
            base + path, method=method, data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for name, values in (("Region", ["APAC", "EMEA", "AMER"]), ("Tier", None)):
            body = {"name": name, "color": "#1E90FF", "applies_to": ["site"]}
            if values:
                body["allowed_values"] = values
            call("POST", "/tags", json.dumps(body).encode())
        lines = ["id,type,name,tag:Region,tag:Tier,"
                 + ",".join(f"meta.k{i}:number" if i % 2 else f"meta.k{i}" for i in range(10))]
        for n in range(count):
            keys = ",".join(str(n * 10 + i) if i % 2 else f"v{n}-{i}" for i in range(10))
            lines.append(f"s{n},site,Site {n},{['APAC', 'EMEA', 'AMER'][n % 3]},T{n % 7},{keys}")
        csv = ("\n".join(lines) + "\n").encode()
        base_rss = rss_kib(server.pid)
        print(f"bulk: {count} resources, 10 keys and 2 tags each, {len(csv) / 1e6:.1f} MB of CSV")

        def step(label, method, path, body=None, content_type="text/csv"):
            start = time.monotonic()
            status, answer = call(method, path, body, content_type)
            took = time.monotonic() - start
            print(f"bulk: {label}: {took:.1f} s (HTTP {status}), peak RSS growth "
                  f"{(peak_rss_kib(server.pid) - base_rss) / 1024:.0f} MiB")
            return status, answer

        status, answer = step("preview", "POST", "/imports?mode=preview", csv)
        report = json.loads(answer)
        print(f"bulk: preview said {report['creates']} creates, {len(report['errors'])} errors")
        status, answer = step("commit", "POST", "/imports?mode=commit&comment=bench", csv)
        change_set = json.loads(answer)["change_set"]
        status, answer = step("export (CSV)", "GET", "/resources/export?format=csv")
        lines_out = answer.count(b"\n")
        print(f"bulk: export is {len(answer) / 1e6:.1f} MB, {lines_out} lines")
        status, answer = step("re-import of the export (preview)", "POST", "/imports?mode=preview", answer)
        print(f"bulk: re-import said {json.loads(answer)['unchanged']} unchanged")
        status, answer = step("revert of the import", "POST", f"/change-sets/{change_set}/revert", b"")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
