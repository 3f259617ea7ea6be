"""The disk-full test: the release server with its data directory on a small file system (a
tmpfs, else an ext4 loop device), filled with uploads and writes until it refuses. Every refusal
must be a 507 with the Altostrat error body, reads must keep working while the disk is full,
writing must resume once space is freed (a filler file of the harness's own removed, then
uploaded files deleted through the API), and after a restart nothing may be corrupted: the
integrity check passes, every acknowledged write is there, no file row points at a missing
blob and no blob is left that no row points at.

Needs root (to mount); without it, or where neither a tmpfs nor a loop device can be mounted,
it says so and exits with 77 ("skipped") rather than pretend.
"""

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

import sitebook_harness as h

SKIPPED = 77
TIMEOUT = 30
ERROR_FIELDS = {"type", "code", "message", "doc_url"}


class Small:
    """A small file system mounted at `path`: tmpfs when allowed, else ext4 on a loop device."""

    def __init__(self, path, size_mib, work):
        self.path = Path(path)
        self.size_mib = size_mib
        self.work = Path(work)
        self.kind = None
        self.loop = None

    def mount(self):
        """Answers None when mounted, else why nothing could be."""
        self.path.mkdir(parents=True, exist_ok=True)
        tried = []
        r = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size_mib}m,mode=0700", "tmpfs", str(self.path)],
            capture_output=True, text=True,
        )
        if r.returncode == 0:
            self.kind = "tmpfs"
            return None
        tried.append(f"tmpfs: {r.stderr.strip() or r.returncode}")
        image = self.work / "disk.img"
        try:
            with open(image, "wb") as f:
                f.truncate(self.size_mib << 20)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], check=True, capture_output=True)
            r = subprocess.run(["mount", "-o", "loop", str(image), str(self.path)], capture_output=True, text=True)
            if r.returncode == 0:
                self.kind = "ext4 on a loop device"
                return None
            tried.append(f"loop device: {r.stderr.strip() or r.returncode}")
        except (OSError, subprocess.CalledProcessError) as e:
            tried.append(f"loop device: {e}")
        return "; ".join(tried)

    def unmount(self):
        if self.kind:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.kind = None

    def free_bytes(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize


class Run:
    def __init__(self, server, token, data_dir):
        self.server = server
        self.http = h.session(token)
        self.data_dir = data_dir
        self.rng = random.Random(7)
        self.failures = []
        self.refusals = {}  # what -> count of 507s
        self.acked_files = {}  # id -> sha256
        self.acked_meta = {}  # key -> value
        self.acked_tag = None
        self.deleted = set()
        self.counter = 0

    def api(self, method, path, **kwargs):
        return self.http.request(method, f"{self.server.url}/api/v1{path}", timeout=TIMEOUT, **kwargs)

    def fail(self, message):
        self.failures.append(message)
        print(f"  FAIL: {message}", flush=True)

    def refused(self, what, r):
        """Checks a refusal is the clear 507; answers whether it was one."""
        body = None
        try:
            body = r.json()
        except ValueError:
            pass
        if r.status_code != 507:
            self.fail(f"{what} answered {r.status_code}, not 507: {r.text[:300]}")
            return False
        if not isinstance(body, dict) or set(body) != ERROR_FIELDS:
            self.fail(f"{what}: the 507's body is not {{type, code, message, doc_url}}: {r.text[:300]}")
            return False
        if body["code"] != "insufficient_storage" or not body["doc_url"].endswith("/errors/insufficient_storage"):
            self.fail(f"{what}: the 507 says {body}")
        self.refusals[what] = self.refusals.get(what, 0) + 1
        return True

    # --- writes, each answering True (acknowledged), False (refused with 507) ----------------

    def write(self, what, method, path, record, **kwargs):
        try:
            r = self.api(method, path, **kwargs)
        except requests.ConnectionError as e:
            # The server answered before reading the whole body and closed the connection;
            # the answer was lost with it. Not the server's fault, and nothing is acknowledged.
            if not self.server.alive():
                self.fail(f"{what}: the server died ({e!r})")
                raise
            self.refusals[f"{what} (connection closed early)"] = self.refusals.get(
                f"{what} (connection closed early)", 0) + 1
            return False
        if 200 <= r.status_code < 300:
            record(r)
            return True
        self.refused(what, r)
        return False

    def upload(self, site, size):
        self.counter += 1
        data = b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(size)
        sha = hashlib.sha256(data).hexdigest()
        return self.write(
            "upload", "POST", f"/sites/{site}/files",
            lambda r: self.acked_files.__setitem__(r.json()["id"], sha),
            files={"file": (f"fill-{self.counter}.png", data)},
        )

    def note(self, site):
        self.counter += 1
        text = f"note {self.counter} " + self.rng.randbytes(2048).hex()
        sha = hashlib.sha256(text.encode()).hexdigest()
        return self.write(
            "note", "POST", f"/sites/{site}/files",
            lambda r: self.acked_files.__setitem__(r.json()["id"], sha),
            json={"name": f"note {self.counter}", "text": text},
        )

    def put_key(self, site, size):
        self.counter += 1
        key, value = f"k{self.counter % 40}", f"{self.counter}:" + "x" * size
        return self.write(
            "metadata PUT key", "PUT", f"/metadata/{site}/{key}",
            lambda r: self.acked_meta.__setitem__(key, value),
            json={"value": value},
        )

    def tag(self, tag_id, site):
        self.counter += 1
        value = f"v{self.counter}"
        return self.write(
            "tag value", "PUT", f"/tags/{tag_id}/values/{site}",
            lambda r: setattr(self, "acked_tag", value),
            json={"correlation_type": "site", "value": value},
        )

    # --- reads -------------------------------------------------------------------------------

    def reads_work(self, site, tag_id, when):
        checks = [
            ("GET metadata", f"/metadata/{site}"),
            ("GET site", f"/sites/{site}"),
            ("GET files", f"/sites/{site}/files"),
            ("GET tag value", f"/tags/{tag_id}/values/{site}"),
            ("search", "/resources?q=type:site"),
        ]
        for what, path in checks:
            r = self.api("GET", path)
            if r.status_code != 200:
                self.fail(f"{what} {when} answered {r.status_code}: {r.text[:200]}")
        for file_id, sha in list(self.acked_files.items())[-5:]:
            r = self.api("GET", f"/sites/{site}/files/{file_id}/content")
            if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != sha:
                self.fail(f"GET file content {when} answered {r.status_code} or other bytes")

    def all_acknowledged_present(self, site, tag_id):
        lost = 0
        r = self.api("GET", f"/metadata/{site}")
        stored = r.json().get("metadata", {}) if r.status_code == 200 else {}
        for key, value in self.acked_meta.items():
            if stored.get(key) != value:
                lost += 1
                self.fail(f"metadata key {key} lost: acknowledged {value[:20]}…, stored {str(stored.get(key))[:20]}")
        if self.acked_tag:
            r = self.api("GET", f"/tags/{tag_id}/values/{site}")
            if r.status_code != 200 or r.json().get("value") != self.acked_tag:
                lost += 1
                self.fail(f"tag value lost: acknowledged {self.acked_tag}, answered {r.status_code} {r.text[:100]}")
        for file_id, sha in self.acked_files.items():
            r = self.api("GET", f"/sites/{site}/files/{file_id}/content")
            if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != sha:
                lost += 1
                self.fail(f"file {file_id} lost: answered {r.status_code} or other bytes")
        for file_id in self.deleted:
            r = self.api("GET", f"/sites/{site}/files/{file_id}")
            if r.status_code != 404:
                self.fail(f"deleted file {file_id} answered {r.status_code}")
        return lost


def fill(run, site, tag_id, small, sizes):
    """Uploads (and small writes between them) until uploads of each size are refused three
    times running; answers how many were acknowledged."""
    acked = 0
    for size in sizes:
        refused_in_a_row = 0
        for _ in range(2000):
            if run.upload(site, size):
                acked += 1
                refused_in_a_row = 0
            else:
                refused_in_a_row += 1
                if refused_in_a_row >= 3:
                    break
            # Small writes between the uploads, so the database meets the full disk too.
            if run.counter % 4 == 0:
                acked += run.put_key(site, 512) + run.tag(tag_id, site)
            if run.counter % 9 == 0:
                acked += run.note(site)
        print(f"  {size >> 10 or size} {'KiB' if size >= 1024 else 'B'} uploads refused; "
              f"{small.free_bytes() >> 10} KiB free", flush=True)
    return acked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/sitebook")
    parser.add_argument("--size-mib", type=int, default=8, help="the small file system's size (default 8)")
    parser.add_argument("--keep", action="store_true", help="keep the server log (the file system goes)")
    args = parser.parse_args()

    binary = Path(args.binary).resolve()
    if not binary.is_file():
        sys.exit(f"disk-full: no server binary at {binary}; build it with scripts/build")
    if os.geteuid() != 0:
        print("disk-full: skipped: mounting a small file system needs root")
        sys.exit(SKIPPED)
    work = Path(tempfile.mkdtemp(prefix="sitebook-disk-full-"))
    data_dir = work / "data"
    small = Small(data_dir, args.size_mib, work)
    why_not = small.mount()
    if why_not:
        print(f"disk-full: skipped: cannot mount a small file system on this machine ({why_not})")
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(SKIPPED)
    log = work / "server.log"
    server = None
    run = None
    try:
        print(f"disk-full: {binary}, data on a {args.size_mib} MiB {small.kind} at {data_dir}", flush=True)
        token = h.make_admin_token(binary, data_dir, "disk-full")
        server = h.Server(binary, data_dir, log)
        server.start()
        run = Run(server, token, data_dir)
        r = run.api("POST", "/tags", json={"name": "Fill", "color": "#3366aa", "applies_to": ["site"]})
        r.raise_for_status()
        tag_id = r.json()["id"]
        r = run.api("POST", "/sites", json={"name": "disk full site"})
        r.raise_for_status()
        site = r.json()["id"]
        # Space of the harness's own, freed later to show that writing resumes.
        filler = data_dir / "filler"
        with open(filler, "wb") as f:
            f.write(os.urandom(1 << 20))

        print("fill:", flush=True)
        acked = fill(run, site, tag_id, small, [256 << 10, 16 << 10, 1 << 10])
        # With the blobs' room gone, keep the database writing until it too is refused.
        # (Its WAL is reused after each checkpoint, so small writes may still pass; the change
        # log grows with every one, so metadata writes meet the full disk in the end.)
        for i in range(600):
            write = (
                lambda: run.put_key(site, 8 << 10),
                lambda: run.tag(tag_id, site),
                lambda: run.note(site),
            )[i % 3]
            acked += write()
            if run.refusals.get("metadata PUT key", 0) >= 3:
                break
        if not run.refusals:
            run.fail(f"no write was refused with 507 on a {args.size_mib} MiB file system")
        print(f"full: {acked} writes acknowledged, refusals {run.refusals}, "
              f"{small.free_bytes() >> 10} KiB free", flush=True)

        failures_before = len(run.failures)
        run.reads_work(site, tag_id, "while full")
        print(f"reads while full: {'ok' if len(run.failures) == failures_before else 'FAILED'}", flush=True)

        filler.unlink()
        resumed = [
            run.upload(site, 16 << 10),
            run.note(site),
            run.put_key(site, 64),
            run.tag(tag_id, site),
        ]
        if not all(resumed):
            run.fail(f"writing did not resume once 1 MiB was freed (upload, note, key, tag: {resumed})")
        # Deleting through the API frees space too, and must itself work on a full disk's
        # aftermath.
        for file_id in list(run.acked_files)[:10]:
            r = run.api("DELETE", f"/sites/{site}/files/{file_id}")
            if r.status_code in (200, 204):
                del run.acked_files[file_id]
                run.deleted.add(file_id)
            else:
                # Refused or failed, the delete may still have happened: neither kept nor gone
                # is checked for it.
                del run.acked_files[file_id]
                run.fail(f"DELETE of file {file_id} answered {r.status_code}: {r.text[:200]}")
        if not run.upload(site, 256 << 10):
            run.fail("a 256 KiB upload after deleting 10 files was refused")
        print(f"after freeing space: {'ok' if all(resumed) else 'FAILED'}; "
              f"{small.free_bytes() >> 10} KiB free", flush=True)

        # A restart, so the start-up's clean-up has run, then the checks.
        if server.stop() not in (0, None):
            run.fail("the server did not stop cleanly")
        server.start()
        lost = run.all_acknowledged_present(site, tag_id)
        server.stop()
        result = h.integrity(data_dir)
        dangling, orphans, incoming = h.blob_census(data_dir)
        if result != "ok":
            run.fail(f"integrity check: {result}")
        for what, found in (("dangling rows", dangling), ("orphan blobs", orphans),
                            ("abandoned uploads", incoming)):
            if found:
                run.fail(f"{len(found)} {what}: {found[:3]}")
        print(
            f"disk-full: {acked} writes acknowledged while filling, "
            f"{sum(v for k, v in run.refusals.items() if 'connection' not in k)} refused with 507, "
            f"{lost} lost, integrity {result}, {len(dangling)} dangling rows, "
            f"{len(orphans)} orphan blobs, {len(incoming)} abandoned uploads, "
            f"{len(run.failures)} failures",
            flush=True,
        )
    except Exception as e:  # noqa: BLE001 - reported, then the harness fails
        if run is None:
            run = Run.__new__(Run)
            run.failures = []
        run.failures.append(repr(e))
        print(f"disk-full: {e!r}", flush=True)
    finally:
        if server is not None:
            server.kill()
        small.unmount()
    failed = bool(run.failures)
    if args.keep or failed:
        print(f"disk-full: server log kept in {log}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
