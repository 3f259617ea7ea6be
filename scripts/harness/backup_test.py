"""The backup test: `sitebook backup` run against the release server while writers keep
writing, then `sitebook restore` into a new data directory and a server started there.

The restored installation must be the live one as of one commit: each writer's counter key
holds a value at least the one acknowledged before the backup began, and never one sent after
it ended; the counter's change records number exactly its value (the metadata and the history
come from the same commit); every file acknowledged before the backup began downloads
byte-identical; SQLite's integrity check passes. A second server on the live data directory is
refused while the first serves, and so is a restore into it.
"""

import argparse
import hashlib
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sitebook_harness as h

TIMEOUT = 15


class Writer(threading.Thread):
    """Sets its site's `n` to 1, 2, 3, … and uploads a file every tenth write."""

    def __init__(self, url, token, site_id, seed):
        super().__init__(daemon=True)
        self.url, self.site_id = url, site_id
        self.http = h.session(token)
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = 0  # the highest n acknowledged
        self.sent = 0  # the highest n sent
        self.files = []  # (file id, sha256, n acknowledged at)
        self.errors = []

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            with self.lock:
                self.sent = n
            r = self.http.put(f"{self.url}/api/v1/metadata/{self.site_id}/n", json={"value": n}, timeout=TIMEOUT)
            if r.status_code != 200:
                self.errors.append(f"PUT n={n}: {r.status_code} {r.text[:200]}")
                return
            with self.lock:
                self.acked = n
            if n % 10 == 0:
                # Random bytes behind PNG's magic number sniff as a photo.
                data = b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(self.rng.randint(1, 64 * 1024))
                r = self.http.post(
                    f"{self.url}/api/v1/sites/{self.site_id}/files",
                    files={"file": (f"photo-{n}.png", data)},
                    timeout=TIMEOUT,
                )
                if r.status_code != 201:
                    self.errors.append(f"upload at n={n}: {r.status_code} {r.text[:200]}")
                    return
                with self.lock:
                    self.files.append((r.json()["id"], hashlib.sha256(data).hexdigest(), n))


def cli(binary, data_dir, *args):
    return subprocess.run(
        [str(binary), "--data-dir", str(data_dir), *args],
        env=h.clean_env(),
        capture_output=True,
        text=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/sitebook")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--load-seconds", type=float, default=1.5,
                        help="seconds of writing before the backup starts (default 1.5)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    args = parser.parse_args()
    binary = Path(args.binary).resolve()
    if not binary.is_file():
        sys.exit(f"backup-test: no server binary at {binary}")

    work = Path(tempfile.mkdtemp(prefix="sitebook-backup-test-"))
    live_dir, restored_dir, archive = work / "live", work / "restored", work / "sitebook.tar"
    problems = []
    token = h.make_admin_token(binary, live_dir)
    live = h.Server(binary, live_dir, work / "live.log")
    live.start()
    writers = []
    try:
        http = h.session(token)
        for i in range(args.writers):
            r = http.post(f"{live.url}/api/v1/sites", json={"name": f"backup site {i}"}, timeout=TIMEOUT)
            r.raise_for_status()
            writers.append(Writer(live.url, token, r.json()["id"], seed=i))
        for w in writers:
            w.start()
        time.sleep(args.load_seconds)

        second = h.Server(binary, live_dir, work / "second.log")
        try:
            second.start(timeout=10)
            problems.append("a second server started on the live data directory")
            second.stop()
        except RuntimeError:
            if "another Sitebook server" not in (work / "second.log").read_text():
                problems.append("a second server failed to start, but not for the serving lock")

        before = {w.site_id: (w.acked, list(w.files)) for w in writers}
        started = time.monotonic()
        made = cli(binary, live_dir, "backup", "--to", str(archive))
        took = time.monotonic() - started
        after = {w.site_id: w.sent for w in writers}
        if made.returncode != 0:
            problems.append(f"backup failed: {made.stderr.strip()}")
        refused = cli(binary, live_dir, "restore", "--from", str(archive), "--replace")
        if refused.returncode == 0 or "stop it first" not in refused.stderr:
            problems.append(f"a restore into the served installation was not refused: {refused.stderr.strip()}")
        time.sleep(0.3)
    finally:
        for w in writers:
            w.stop.set()
        for w in writers:
            w.join(TIMEOUT)
        live.stop()
    for w in writers:
        problems.extend(w.errors)
    acked_total = sum(w.acked for w in writers)

    if not problems:
        restored = cli(binary, restored_dir, "restore", "--from", str(archive))
        if restored.returncode != 0:
            problems.append(f"restore failed: {restored.stderr.strip()}")
        else:
            problems.extend(check_restored(binary, restored_dir, work, token, before, after))

    print(
        f"backup-test: {args.writers} writers, {acked_total} writes acknowledged, backup in {took:.2f} s "
        f"({archive.stat().st_size if archive.exists() else 0} bytes), {len(problems)} problem(s)"
    )
    for p in problems:
        print(f"  {p}")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)])
    else:
        print(f"kept {work}")
    sys.exit(1 if problems else 0)


def check_restored(binary, data_dir, work, token, before, after):
    problems = []
    check = h.integrity(data_dir)
    if check != "ok":
        problems.append(f"integrity check: {check}")
    server = h.Server(binary, data_dir, work / "restored.log")
    server.start()
    try:
        http = h.session(token)
        with h.read_only(data_dir) as db:
            for site_id, (acked, files) in before.items():
                r = http.get(f"{server.url}/api/v1/metadata/{site_id}", timeout=TIMEOUT)
                if r.status_code != 200:
                    problems.append(f"{site_id}: {r.status_code} {r.text[:200]}")
                    continue
                n = r.json()["metadata"].get("n", 0)
                if not acked <= n <= after[site_id]:
                    problems.append(f"{site_id}: n = {n}, acknowledged {acked} before, sent {after[site_id]} by the end")
                (records,) = db.execute(
                    "SELECT count(*) FROM changes WHERE resource_id = ? AND subject = 'n'", (site_id,)
                ).fetchone()
                if records != n:
                    problems.append(f"{site_id}: n = {n} but {records} change records of it (not one commit)")
                for file_id, sha, _ in files:
                    r = http.get(f"{server.url}/api/v1/sites/{site_id}/files/{file_id}/content", timeout=TIMEOUT)
                    if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != sha:
                        problems.append(f"{site_id}: file {file_id} did not come back whole ({r.status_code})")
    finally:
        server.stop()
    return problems


if __name__ == "__main__":
    main()
