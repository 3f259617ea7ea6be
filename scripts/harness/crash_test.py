"""The crash test: the release server under a mixed write load, killed with SIGKILL at a random
moment, restarted on the same data directory, N rounds. After each restart every acknowledged
write must be there (the acknowledged value or a later one from the same writer), SQLite's
integrity check must pass, no file row may point at a missing blob and no blob may be left
that no row points at.

Each client thread writes only its own site, one request at a time, with a counter that grows
with every request it sends. So whatever the server applied of a request that was in flight at
the kill is that writer's newest value, and "the stored value is at least the acknowledged
one" is exactly "no acknowledged write was lost".
"""

import argparse
import hashlib
import json
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

import sitebook_harness as h

# The metadata keys a writer sets; which request sets which is in `Writer`.
KEYS = ("c", "post", "put", "merge", "jpatch", "key")
TIMEOUT = 15


@dataclass
class Acked:
    """What the server acknowledged to one writer."""

    # key -> every counter acknowledged for it, in order (they only grow).
    metadata: dict = field(default_factory=lambda: {k: [] for k in KEYS})
    tag: list = field(default_factory=list)
    # file id -> (sha256, the round it was acknowledged in)
    files: dict = field(default_factory=dict)
    # Files whose delete was acknowledged: they must stay gone.
    deleted: set = field(default_factory=set)
    # Files whose delete was in flight at the kill: either outcome is right.
    maybe_deleted: set = field(default_factory=set)


@dataclass
class Tally:
    acknowledged: int = 0
    refused: dict = field(default_factory=dict)  # status -> count, other than 5xx
    server_errors: list = field(default_factory=list)  # (status, request, body)
    client_errors: list = field(default_factory=list)  # failures while the server was alive


class Writer(threading.Thread):
    def __init__(self, index, url, token, site_id, site_name, tag_id, acked, counter, round_no, stop, seed):
        super().__init__(name=f"writer-{index}", daemon=True)
        self.index = index
        self.url = url
        self.http = h.session(token)
        self.site_id = site_id
        self.site_name = site_name
        self.tag_id = tag_id
        self.acked = acked
        self.counter = counter  # a one-element list, so the count carries across rounds
        self.round_no = round_no
        self.stop = stop
        self.rng = random.Random(seed)
        self.tally = Tally()
        # Contents this writer sent before, so some uploads share a blob with an earlier file.
        self.contents = []

    def next(self):
        self.counter[0] += 1
        return self.counter[0]

    # Each operation: (weight, method). A method sends one request and returns what to record
    # once it is acknowledged, or None when it sent nothing.
    def ops(self):
        return (
            (2, self.post_metadata),
            (2, self.put_metadata),
            (3, self.merge_patch),
            (3, self.json_patch),
            (3, self.put_key),
            (3, self.put_tag),
            (3, self.upload),
            (2, self.note),
            (1, self.delete_file),
        )

    def run(self):
        ops = self.ops()
        weights = [w for w, _ in ops]
        while not self.stop.is_set():
            op = self.rng.choices(ops, weights)[0][1]
            try:
                op()
            except requests.RequestException as e:
                if self.stop.is_set():
                    return  # the kill: the request in flight is neither acked nor refused
                self.tally.client_errors.append(f"{op.__name__}: {e!r}")
                # The server may be dying right now; the main thread decides.
                time.sleep(0.05)

    def send(self, name, method, path, **kwargs):
        """Sends one request; answers the response when it is 2xx, else records the refusal."""
        r = self.http.request(method, f"{self.url}/api/v1{path}", timeout=TIMEOUT, **kwargs)
        if 200 <= r.status_code < 300:
            self.tally.acknowledged += 1
            return r
        if r.status_code >= 500:
            self.tally.server_errors.append((r.status_code, f"{name} {method} {path}", r.text[:300]))
        else:
            key = f"{r.status_code} {name}"
            self.tally.refused[key] = self.tally.refused.get(key, 0) + 1
        return None

    def full(self, n):
        return {"name": self.site_name, **{k: n for k in KEYS}}

    def ack_keys(self, n, keys):
        for k in keys:
            self.acked.metadata[k].append(n)

    def post_metadata(self):
        n = self.next()
        body = {"resource_id": self.site_id, "type": "site", "metadata": self.full(n)}
        if self.send("post_metadata", "POST", "/metadata", json=body):
            self.ack_keys(n, KEYS)

    def put_metadata(self):
        n = self.next()
        if self.send("put_metadata", "PUT", f"/metadata/{self.site_id}", json=self.full(n)):
            self.ack_keys(n, KEYS)

    def merge_patch(self):
        n = self.next()
        r = self.send(
            "merge_patch",
            "PATCH",
            f"/metadata/{self.site_id}",
            data=json.dumps({"c": n, "merge": n}),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        if r:
            self.ack_keys(n, ("c", "merge"))

    def json_patch(self):
        n = self.next()
        ops = [
            {"op": "add", "path": "/c", "value": n},
            {"op": "add", "path": "/jpatch", "value": n},
        ]
        r = self.send(
            "json_patch",
            "PATCH",
            f"/metadata/{self.site_id}",
            data=json.dumps(ops),
            headers={"Content-Type": "application/json-patch+json"},
        )
        if r:
            self.ack_keys(n, ("c", "jpatch"))

    def put_key(self):
        n = self.next()
        if self.send("put_key", "PUT", f"/metadata/{self.site_id}/key", json={"value": n}):
            self.ack_keys(n, ("key",))

    def put_tag(self):
        n = self.next()
        body = {"correlation_type": "site", "value": f"v{n}"}
        if self.send("put_tag", "PUT", f"/tags/{self.tag_id}/values/{self.site_id}", json=body):
            self.acked.tag.append(n)

    def content(self):
        if self.contents and self.rng.random() < 0.15:
            return self.rng.choice(self.contents)
        size = self.rng.randint(64, 48 * 1024)
        if self.rng.random() < 0.5:
            # Random bytes behind PNG's magic number sniff as a PNG.
            data = b"\x89PNG\r\n\x1a\n" + self.rng.randbytes(size)
            name = "photo.png"
        else:
            alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 \n"
            data = bytes(self.rng.choice(alphabet) for _ in range(size))
            name = "notes.txt"
        self.contents.append((name, data))
        del self.contents[:-8]
        return name, data

    def upload(self):
        n = self.next()
        name, data = self.content()
        r = self.send(
            "upload",
            "POST",
            f"/sites/{self.site_id}/files",
            files={"file": (f"w{self.index}-{n}-{name}", data)},
        )
        if r:
            self.acked.files[r.json()["id"]] = (hashlib.sha256(data).hexdigest(), self.round_no)

    def note(self):
        n = self.next()
        text = f"note {n} from writer {self.index}: " + self.rng.randbytes(self.rng.randint(8, 2048)).hex()
        r = self.send(
            "note",
            "POST",
            f"/sites/{self.site_id}/files",
            json={"name": f"note {n}", "text": text},
        )
        if r:
            self.acked.files[r.json()["id"]] = (hashlib.sha256(text.encode()).hexdigest(), self.round_no)

    def delete_file(self):
        live = [f for f in self.acked.files if f not in self.acked.maybe_deleted]
        if not live:
            return
        file_id = self.rng.choice(live)
        self.next()
        # Until answered, the delete may or may not happen.
        self.acked.maybe_deleted.add(file_id)
        r = self.send("delete_file", "DELETE", f"/sites/{self.site_id}/files/{file_id}")
        if r:
            self.acked.maybe_deleted.discard(file_id)
            del self.acked.files[file_id]
            self.acked.deleted.add(file_id)


def lost_among(counters, stored):
    """How many acknowledged counters are newer than what is stored (None: nothing stored)."""
    if stored is None:
        return len(counters)
    return sum(1 for c in counters if c > stored)


def as_counter(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def verify_api(url, token, writers_state, round_no):
    """Reads back every acknowledged write through the API; answers (lost, problems)."""
    http = h.session(token)
    lost = 0
    problems = []
    for w, (site_id, acked) in enumerate(writers_state):
        r = http.get(f"{url}/api/v1/metadata/{site_id}", timeout=TIMEOUT)
        if r.status_code != 200:
            problems.append(f"writer {w}: GET metadata answered {r.status_code}: {r.text[:200]}")
            lost += sum(len(v) for v in acked.metadata.values())
        else:
            stored = r.json()["metadata"]
            for key, counters in acked.metadata.items():
                value = as_counter(stored.get(key))
                n = lost_among(counters, value)
                if n:
                    lost += n
                    problems.append(
                        f"writer {w}: key {key!r} is {stored.get(key)!r}, acknowledged up to {max(counters)}"
                    )
        if acked.tag:
            r = http.get(f"{url}/api/v1/tags/{TAG_ID[0]}/values/{site_id}", timeout=TIMEOUT)
            value = None
            if r.status_code == 200:
                text = r.json().get("value", "")
                value = int(text[1:]) if text.startswith("v") and text[1:].isdigit() else None
            n = lost_among(acked.tag, value)
            if n:
                lost += n
                problems.append(
                    f"writer {w}: tag value answered {r.status_code} {r.text[:200]!r}, acknowledged up to v{max(acked.tag)}"
                )
        # Files acknowledged this round through the API (older ones are checked against the
        # database and the blobs below, which is cheaper and covers every file).
        for file_id, (sha, acked_in) in acked.files.items():
            if acked_in != round_no or file_id in acked.maybe_deleted:
                continue
            r = http.get(f"{url}/api/v1/sites/{site_id}/files/{file_id}/content", timeout=TIMEOUT)
            if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != sha:
                lost += 1
                problems.append(f"writer {w}: file {file_id} answered {r.status_code} or other bytes")
        for file_id in acked.deleted:
            r = http.get(f"{url}/api/v1/sites/{site_id}/files/{file_id}", timeout=TIMEOUT)
            if r.status_code != 404:
                lost += 1
                problems.append(f"writer {w}: deleted file {file_id} answered {r.status_code}")
    return lost, problems


def verify_disk(data_dir, writers_state):
    """With the server stopped: every acknowledged file has its row and intact blob; answers
    (lost, problems, integrity, dangling rows, orphan blobs, abandoned uploads)."""
    result = h.integrity(data_dir)
    dangling, orphans, incoming = h.blob_census(data_dir)
    rows = h.file_rows(data_dir)
    lost = 0
    problems = []
    for w, (_, acked) in enumerate(writers_state):
        for file_id, (sha, _) in acked.files.items():
            if file_id in acked.maybe_deleted:
                continue
            if rows.get(file_id) != sha:
                lost += 1
                problems.append(f"writer {w}: file {file_id} has row sha {rows.get(file_id)}, acknowledged {sha}")
                continue
            path = h.blob_path(data_dir, sha)
            if path.exists() and h.sha256_of_file(path) != sha:
                lost += 1
                problems.append(f"writer {w}: the blob of file {file_id} holds other bytes")
        for file_id in acked.deleted:
            if file_id in rows:
                lost += 1
                problems.append(f"writer {w}: deleted file {file_id} still has its row")
    return lost, problems, result, dangling, orphans, incoming


TAG_ID = [None]


def setup(server, token, clients, rng):
    """The sites the writers write (one each) and the tag they set."""
    http = h.session(token)
    api = f"{server.url}/api/v1"
    suffix = rng.randbytes(4).hex()
    r = http.post(
        f"{api}/tags",
        json={"name": f"Crash {suffix}", "color": "#aa3300", "applies_to": ["site"]},
        timeout=TIMEOUT,
    )
    r.raise_for_status()
    TAG_ID[0] = r.json()["id"]
    sites = []
    for i in range(clients):
        name = f"crash site {i} {suffix}"
        r = http.post(f"{api}/sites", json={"name": name}, timeout=TIMEOUT)
        r.raise_for_status()
        sites.append((r.json()["id"], name))
    return sites


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/sitebook")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kill-after", type=float, nargs=2, default=(0.3, 2.0), metavar=("MIN", "MAX"),
                        help="seconds into the load the kill comes, drawn uniformly (default 0.3 2.0)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and server log")
    args = parser.parse_args()

    binary = Path(args.binary).resolve()
    if not binary.is_file():
        sys.exit(f"crash-test: no server binary at {binary}; build it with scripts/build")
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="sitebook-crash-"))
    data_dir = work / "data"
    data_dir.mkdir()
    log = work / "server.log"
    print(f"crash-test: {binary}, data in {data_dir}, seed {seed}", flush=True)

    token = h.make_admin_token(binary, data_dir, "crash")
    server = h.Server(binary, data_dir, log)
    server.start()
    sites = setup(server, token, args.clients, rng)
    acked = [Acked() for _ in sites]
    counters = [[0] for _ in sites]

    totals = {"acknowledged": 0, "lost": 0, "server_errors": 0, "client_errors": 0,
              "dangling": 0, "orphans": 0, "incoming": 0, "bad_integrity": 0}
    failed = False
    try:
        for round_no in range(1, args.rounds + 1):
            if not server.alive():
                server.start()
            stop = threading.Event()
            writers = [
                Writer(i, server.url, token, site_id, name, TAG_ID[0], acked[i], counters[i],
                       round_no, stop, rng.randrange(1 << 32))
                for i, (site_id, name) in enumerate(sites)
            ]
            for w in writers:
                w.start()
            kill_at = rng.uniform(*args.kill_after)
            time.sleep(kill_at)
            alive_at_kill = server.alive()
            stop.set()
            server.kill()
            for w in writers:
                w.join(TIMEOUT + 5)

            # The restart: the start-up is where abandoned uploads and orphan blobs go.
            server.start()
            api_lost, api_problems = verify_api(server.url, token, list(zip((s for s, _ in sites), acked)), round_no)
            server.stop()
            disk_lost, disk_problems, result, dangling, orphans, incoming = verify_disk(
                data_dir, list(zip((s for s, _ in sites), acked))
            )

            acknowledged = sum(w.tally.acknowledged for w in writers)
            server_errors = [e for w in writers for e in w.tally.server_errors]
            client_errors = [e for w in writers for e in w.tally.client_errors]
            refused = {}
            for w in writers:
                for k, v in w.tally.refused.items():
                    refused[k] = refused.get(k, 0) + v
            lost = api_lost + disk_lost
            totals["acknowledged"] += acknowledged
            totals["lost"] += lost
            totals["server_errors"] += len(server_errors)
            totals["client_errors"] += len(client_errors)
            totals["dangling"] = len(dangling)
            totals["orphans"] = len(orphans)
            totals["incoming"] = len(incoming)
            if result != "ok":
                totals["bad_integrity"] += 1
            print(
                f"round {round_no}: killed at {kill_at:.2f} s{'' if alive_at_kill else ' (already dead!)'}, "
                f"{acknowledged} writes acknowledged, {lost} lost, integrity {result}, "
                f"{len(dangling)} dangling rows, {len(orphans)} orphan blobs, "
                f"{len(incoming)} abandoned uploads, {len(server_errors)} 5xx"
                + (f", refused {refused}" if refused else ""),
                flush=True,
            )
            for p in (api_problems + disk_problems)[:20]:
                print(f"  lost: {p}")
            for status, req, body in server_errors[:5]:
                print(f"  {status} for {req}: {body}")
            for e in client_errors[:5]:
                print(f"  client error while the server was up: {e}")
            for sha in dangling[:5]:
                print(f"  dangling: a row points at missing blob {sha}")
            for sha in orphans[:5]:
                print(f"  orphan blob: {sha}")
            if not alive_at_kill:
                failed = True
                print(f"  the server had died before the kill; see {log}")
    except Exception as e:  # noqa: BLE001 - reported, then the harness fails
        failed = True
        print(f"crash-test: {e!r}", flush=True)
    finally:
        server.kill()

    print(
        f"crash-test: {args.rounds} rounds, {totals['acknowledged']} writes acknowledged, "
        f"{totals['lost']} lost, "
        f"integrity {'ok' if totals['bad_integrity'] == 0 else 'FAILED in ' + str(totals['bad_integrity']) + ' round(s)'}, "
        f"{totals['dangling']} dangling rows, {totals['orphans']} orphan blobs, "
        f"{totals['incoming']} abandoned uploads, {totals['server_errors']} server errors (5xx), "
        f"{totals['client_errors']} client errors"
    )
    failed = failed or any(totals[k] for k in ("lost", "bad_integrity", "dangling", "orphans",
                                                "incoming", "server_errors", "client_errors"))
    if args.keep or failed:
        print(f"crash-test: data directory and server log kept in {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
