"""promtest.py - what the --serve tests share: a usdtrace serving on a free
port of 127.0.0.1 (waited for until /healthz answers), GET, the exposition
text parsed back into samples and types, and polling a scrape until it
holds what a test waits for."""
import base64
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import USDTRACE


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, timeout=10, auth=None, cafile=None):
    """(status, content type, body) of GET @url; @auth (user, password) as
    basic auth, @cafile the certificate an https server must present."""
    req = urllib.request.Request(url)
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


class Served:
    """usdtrace CMD --serve on a free port, waited for until /healthz is
    200; with @web (--web-config FILE), over https (@cafile) as user @auth."""

    def __init__(self, *args, cmd="count", web=None, auth=None, cafile=None):
        self.port = free_port()
        extra = ["--web-config", web] if web else []
        self.p = subprocess.Popen([USDTRACE, cmd, "--serve", f"127.0.0.1:{self.port}",
                                   *extra, *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.url = f"{'https' if cafile else 'http'}://127.0.0.1:{self.port}"
        self.auth, self.cafile = auth, cafile
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.get("/healthz", 2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)

    def get(self, path, timeout=10, auth=True):
        return get(self.url + path, timeout, self.auth if auth else None, self.cafile)

    def stop(self):
        self.p.send_signal(2)
        self.out, self.err = self.p.communicate(timeout=30)
        return self.p.returncode


def parse(text):
    """{(name, frozenset(labels)): value} and {family: type} of exposition text."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            head, value = line.rsplit(" ", 1)
            name, labels = head, ()
            if "{" in head:
                name, rest = head.split("{", 1)
                labels, cur, i, body = [], "", 0, rest[:-1]
                while i < len(body):
                    k, _, after = body[i:].partition('="')
                    j, val = 0, ""
                    while after[j] != '"':
                        if after[j] == "\\":
                            val += {"n": "\n", "\\": "\\", '"': '"'}[after[j + 1]]
                            j += 2
                        else:
                            val += after[j]
                            j += 1
                    labels.append((k, val))
                    i += len(k) + 2 + j + 1 + 1
                labels = tuple(labels)
            samples[(name, frozenset(labels))] = float(value)
    return samples, types


def metric(samples, name, **labels):
    """The value of @name whose labels include @labels, or None."""
    for (n, ls), v in samples.items():
        if n == name and set(labels.items()) <= set(ls):
            return v
    return None


def scrape_until(served, want, timeout=30):
    """Scrape @served until @want(samples) holds (events still in the ring
    buffer are counted a moment later); the last samples either way."""
    deadline = time.time() + timeout
    while True:
        fetch = getattr(served, "get", None) or (lambda path: get(served.url + path))
        samples, _ = parse(fetch("/metrics")[2])
        if want(samples) or time.time() > deadline:
            return samples
        time.sleep(0.2)
