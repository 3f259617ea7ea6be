"""What the crash and disk-full harnesses share: a release server on a data directory of its
own, an admin token from the binary's CLI, and the checks of the data directory itself (SQLite's
integrity check, file rows against the blobs under `files/`).

Only the standard library and `requests` (both in the client-test venv), so the harnesses run
wherever `scripts/setup --client-tests` has run.
"""

import hashlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

# Settings the caller's shell may carry must not point the server or the CLI elsewhere.
_FOREIGN_SETTINGS = (
    "SITEBOOK_DATA_DIR",
    "SITEBOOK_DATABASE_URL",
    "SITEBOOK_ADDR",
    "SITEBOOK_PUBLIC_URL",
    "SITEBOOK_TRUSTED_PROXY",
    "SITEBOOK_MAX_FILE_BYTES",
    "SITEBOOK_MAX_METADATA_KEYS",
)


def clean_env():
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_SETTINGS}
    # The API needs no browser bundle; pages are never asked for.
    env.setdefault("RUST_LOG", "warn")
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_admin_token(binary, data_dir, name="harness"):
    """An admin API token's secret, made with `sitebook token create` on `data_dir`.

    The CLI prints the token's id in parentheses and the secret alone on the last line.
    """
    out = subprocess.run(
        [str(binary), "--data-dir", str(data_dir), "token", "create", "--name", name, "--role", "admin"],
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    secret = out.strip().splitlines()[-1].strip()
    if not re.fullmatch(r"sbk_[0-9a-f]{64}", secret):
        raise RuntimeError(f"sitebook token create printed no secret:\n{out}")
    return secret


class Server:
    """One release server process on `data_dir`, listening on a free loopback port."""

    def __init__(self, binary, data_dir, log_path, extra_args=()):
        self.binary = Path(binary)
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.extra_args = list(extra_args)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self, timeout=30):
        # Appended to, so one log holds every life of the server across rounds.
        log = open(self.log_path, "ab")
        log.write(f"\n--- start on port {self.port} at {time.strftime('%H:%M:%S')}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [
                str(self.binary),
                "--data-dir", str(self.data_dir),
                "--addr", f"127.0.0.1:{self.port}",
                "--public-url", self.url,
                *self.extra_args,
            ],
            env=clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.proc.returncode} while starting; see {self.log_path}"
                )
            try:
                if requests.get(f"{self.url}/api/v1/openapi.json", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout} s; see {self.log_path}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: no shutdown, no flush, as a power cut leaves the process."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def stop(self, timeout=20):
        """SIGTERM and wait for the graceful shutdown; SIGKILL if it does not come."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"the server did not stop within {timeout} s of SIGTERM")


def session(token):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


# --- The data directory itself -------------------------------------------------------------

BLOB_NAME = re.compile(r"[0-9a-f]{64}")


def db_path(data_dir):
    return Path(data_dir) / "sitebook.db"


def files_root(data_dir):
    return Path(data_dir) / "files"


def blob_path(data_dir, sha256):
    # `store/blobs/local_disk.rs`: `<root>/<first 2 hex>/<sha256>`.
    return files_root(data_dir) / sha256[:2] / sha256


def read_only(data_dir):
    """A read-only connection that never writes the database (nor checkpoints its WAL)."""
    uri = f"file:{db_path(data_dir)}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30)


def integrity(data_dir):
    """`PRAGMA integrity_check`'s answer, `ok` when the database is sound."""
    try:
        with read_only(data_dir) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as e:
        return f"cannot check: {e}"
    return "; ".join(str(r[0]) for r in rows)


def blob_census(data_dir):
    """(rows pointing at a missing blob, blobs no row points at, uploads left in `incoming/`),
    each a list of sha256 digests (file names for the last)."""
    with read_only(data_dir) as db:
        referenced = {r[0] for r in db.execute("SELECT DISTINCT sha256 FROM site_files")}
    root = files_root(data_dir)
    on_disk = set()
    for shard in root.iterdir() if root.exists() else ():
        if shard.name == "incoming" or not shard.is_dir():
            continue
        for blob in shard.iterdir():
            if BLOB_NAME.fullmatch(blob.name) and blob.name.startswith(shard.name):
                on_disk.add(blob.name)
    incoming = sorted(p.name for p in (root / "incoming").iterdir()) if (root / "incoming").exists() else []
    return sorted(referenced - on_disk), sorted(on_disk - referenced), incoming


def file_rows(data_dir):
    """Every file row: id -> sha256."""
    with read_only(data_dir) as db:
        return dict(db.execute("SELECT id, sha256 FROM site_files"))


def sha256_of_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()
