"""test_serve.py - count --serve: the Prometheus text on GET /metrics
(every family typed, a hostile string key escaped, 404 elsewhere,
/healthz), and a real Prometheus (Debian's, on 127.0.0.1 with a temporary
config and storage) scraping a system-wide count while the sample runs
twice with known hit counts: the exact total through its query API."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, summary_exit, usdtrace
from promtest import Served, free_port, get, metric, parse, scrape_until

SAMPLE = os.path.join(ROOT, OUTPUT, "samples", "sample")


def test_exposition():
    s = Served("--by", "arg0", f"{SAMPLE}:sample:str(s,d)")
    try:
        subprocess.run([SAMPLE, "-n", "30"], stdout=subprocess.DEVNULL)
        status, ctype, text = get(s.url + "/metrics")
    except BaseException:
        s.stop()
        raise
    samples, types = parse(text)
    hits = {dict(k[1]).get("arg0"): v for k, v in samples.items()
            if k[0] == "usdtrace_probe_hits_total"}
    check("--serve /metrics: 200, the exposition content type",
          status == 200 and ctype.startswith("text/plain; version=0.0.4"), f"{status} {ctype}")
    check("--serve: hits by key, exact, a quoted key escaped and read back whole",
          hits == {"alpha": 10, "beta": 10, 'gamma "quoted"': 10}, f"{hits}\n{text}")
    names = {k[0] for k in samples}
    check("--serve: every family has # TYPE (and the common ones are there)",
          names <= set(types) and {"usdtrace_events_dropped_total", "usdtrace_filtered_total",
                                   "usdtrace_sites_attached"} <= names, f"{names} {types}")
    check("--serve: # HELP for every family",
          all(f"# HELP {n} " in text for n in types), text)
    check("--serve: any other path is 404", get(s.url + "/other")[0] == 404)
    rc = s.stop()
    check("--serve: SIGINT ends it cleanly, the summary counts what it served",
          rc == 0 and "30 events" in s.err, s.err)


def test_hostile():
    # sample:hostile passes a string with quotes, a backslash and a newline
    s = Served("--by", "arg0", f"{SAMPLE}:sample:hostile(s)")
    try:
        subprocess.run([SAMPLE, "-n", "3"], stdout=subprocess.DEVNULL)
        text = get(s.url + "/metrics")[2]
    finally:
        s.stop()
    lines = [l for l in text.splitlines() if l.startswith("usdtrace_probe_hits_total")]
    samples, _ = parse(text)
    vals = [dict(k[1]).get("arg0") for k in samples if k[0] == "usdtrace_probe_hits_total"]
    check("--serve: a hostile string key cannot forge a series (escaped, one line)",
          len(lines) == 1 and len(vals) == 1 and samples[next(iter(
              k for k in samples if k[0] == "usdtrace_probe_hits_total"))] == 3,
          f"{lines} {vals}")


def test_bad():
    port = free_port()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", port))
    blocker.listen()
    r = usdtrace("count", "--serve", f"127.0.0.1:{port}", f"{SAMPLE}:sample:loop")
    blocker.close()
    check("--serve on a port in use: one line, exit 1, nothing attached",
          r.returncode == 1 and r.stderr == f"usdtrace: --serve 127.0.0.1:{port}: cannot "
          "listen there: the port is in use\n", r.stderr)
    r = usdtrace("count", "--serve", "192.0.2.1:9435", f"{SAMPLE}:sample:loop")
    check("--serve on an address of another machine: said so",
          r.returncode == 1 and r.stderr == "usdtrace: --serve 192.0.2.1:9435: cannot "
          "listen there: not an address of this machine\n", r.stderr)
    r = usdtrace("count", "--serve", "nonsense", f"{SAMPLE}:sample:loop")
    check("--serve without HOST:PORT: one line",
          r.returncode == 1 and r.stderr == "usdtrace: --serve nonsense: not HOST:PORT "
          "(127.0.0.1:9435)\n", r.stderr)
    r = usdtrace("hist", "--serve", "127.0.0.1:1", "--by", "site", f"{SAMPLE}:sample:loop",
                 "arg0")
    check("hist --serve --by site: refused in one line (sites have no label)",
          r.returncode == 1 and r.stderr == "usdtrace: hist: --serve with --by site: not "
          "served (use --by pid or keys)\n", r.stderr)
    r = usdtrace("trace", "--serve", "127.0.0.1:1", f"{SAMPLE}:sample:loop")
    check("--serve on trace: refused", r.returncode == 1 and "--serve is for count" in r.stderr,
          r.stderr)


def test_silent_client():
    s = Served(f"{SAMPLE}:sample:loop")
    quiet = []
    try:
        for partial in (b"", b"", b"GET /metr"):
            c = socket.create_connection(("127.0.0.1", s.port))
            c.sendall(partial)
            quiet.append(c)
        subprocess.run([SAMPLE, "-n", "500"], stdout=subprocess.DEVNULL)
        t0 = time.time()
        samples = scrape_until(s, lambda x: metric(x, "usdtrace_probe_hits_total") == 500)
        took = time.time() - t0
    finally:
        for c in quiet:
            c.close()
        s.stop()
    check("--serve: clients that connect and send nothing (or half a request) stall "
          "neither the scrape nor the counting; nothing dropped",
          metric(samples, "usdtrace_probe_hits_total") == 500 and took < 10 and
          metric(samples, "usdtrace_events_dropped_total") == 0, f"{samples} {took}")


def test_hist():
    s = Served(f"{SAMPLE}:sample:loop", "arg0", cmd="hist")
    try:
        subprocess.run([SAMPLE, "-n", "20"], stdout=subprocess.DEVNULL)
        samples = scrape_until(s, lambda x: metric(x, "usdtrace_hist_count") == 20)
        text = get(s.url + "/metrics")[2]
    finally:
        s.stop()
    # sample:loop's arg0 is the loop index, 0..19, signed
    want = {"-1": 0, "0": 1, "1": 2, "3": 4, "7": 8, "15": 16, "31": 20, "+Inf": 20}
    got = {dict(k[1])["le"]: v for k, v in samples.items() if k[0] == "usdtrace_hist_bucket"
           and dict(k[1]).get("probe") == "sample:loop" and dict(k[1]).get("arg") == "arg0"}
    check("hist --serve: cumulative buckets at exact integer bounds (le = the largest value "
          "a bucket holds), _sum and _count exact",
          got == want and metric(samples, "usdtrace_hist_sum") == 190 and
          metric(samples, "usdtrace_hist_count") == 20 and
          "# TYPE usdtrace_hist histogram" in text, f"{got}\n{text}")
    s = Served("--by", "arg0", "--max-series", "2", f"{SAMPLE}:sample:str(s,d)", "arg1",
               cmd="hist")
    try:
        subprocess.run([SAMPLE, "-n", "30"], stdout=subprocess.DEVNULL)
        samples = scrape_until(s, lambda x: sum(v for k, v in x.items()
                                                if k[0] == "usdtrace_hist_count") == 30)
    finally:
        s.stop()
    counts = {dict(k[1]).get("arg0"): v for k, v in samples.items()
              if k[0] == "usdtrace_hist_count"}
    check("hist --serve --by arg0 --max-series 2: two keyed histograms, the third as other",
          sorted(counts.values()) == [10, 10, 10] and "other" in counts and
          metric(samples, "usdtrace_series_other") == 1, f"{counts}")


GATED = """
import gc, os, sys, time
gc.disable()
def work():
    return 1
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
for i in range(50):
    work()
for i in range(3):
    gc.collect()
time.sleep(120)
"""


def test_lang():
    """calls and stat --serve on a python3.11 that waits for a file, then calls
    work() 50 times and collects 3 times."""
    with tempfile.TemporaryDirectory() as d:
        script, go = os.path.join(d, "gated.py"), os.path.join(d, "go")
        with open(script, "w") as f:
            f.write(GATED)
        py = subprocess.Popen(["/usr/bin/python3.11", script, go])
        calls = Served("-l", "python", "-p", str(py.pid), cmd="calls")
        stat = Served("-l", "python", "-p", str(py.pid), cmd="stat")
        try:
            open(go, "w").close()
            method = f"{script}:work"
            c = scrape_until(calls, lambda x: metric(x, "usdtrace_calls_total",
                                                     method=method) == 50)
            st = scrape_until(stat, lambda x: metric(x, "usdtrace_gc_total") == 3)
        finally:
            calls.stop()
            stat.stop()
            py.kill()
            py.wait()
    check("calls --serve -l python: usdtrace_calls_total{lang,method} exact (50), CPython "
          "3.11's calls without an entry as untimed",
          metric(c, "usdtrace_calls_total", lang="python", method=method) == 50 and
          metric(c, "usdtrace_calls_untimed_total", lang="python", method=method) == 50 and
          metric(c, "usdtrace_call_seconds_total", lang="python", method=method) == 0,
          f"{[k for k in c if k[0] == 'usdtrace_calls_total'][:5]}")
    check("stat --serve -l python: usdtrace_gc_total{lang} exact (3), GC time served",
          metric(st, "usdtrace_gc_total", lang="python") == 3 and
          metric(st, "usdtrace_gc_seconds_total", lang="python") > 0, f"{st}")


def prometheus_query(served, run, queries, want, target_extra=""):
    """Start Debian's Prometheus scraping @served every second (its scrape
    config plus @target_extra: TLS, auth), @run the workload (given a
    function that queries Prometheus), then poll each of @queries until
    @want(values) holds."""
    prom = shutil.which("prometheus")
    pport = free_port()
    values = {}

    def query(q):
        try:
            url = f"http://127.0.0.1:{pport}/api/v1/query?query=" + urllib.parse.quote(q)
            res = json.loads(get(url)[2])["data"]["result"]
            return res[0]["value"][1] if res else None
        except (OSError, ValueError, KeyError, IndexError):
            return None
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                    "  - job_name: usdtrace\n    static_configs:\n"
                    f"      - targets: ['127.0.0.1:{served.port}']\n" + target_extra)
        p = subprocess.Popen([prom, f"--config.file={cfg}", f"--storage.tsdb.path={d}/data",
                              f"--web.listen-address=127.0.0.1:{pport}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run(query)
            deadline = time.time() + 60
            while time.time() < deadline:
                values = {name: query(q) for name, q in queries.items()}
                if want(values):
                    break
                time.sleep(0.5)
        finally:
            p.terminate()
            p.wait(timeout=30)
    served.stop()
    return values


def test_prometheus():
    if not shutil.which("prometheus"):
        check("prometheus scrape", False, "no prometheus (scripts/setup.sh installs it)")
        return
    s = Served(f"{SAMPLE}:sample:loop")

    def runs(query):
        subprocess.run([SAMPLE, "-n", "40"], stdout=subprocess.DEVNULL)
        subprocess.run([SAMPLE, "-n", "60"], stdout=subprocess.DEVNULL)
    v = prometheus_query(s, runs, {"hits": 'usdtrace_probe_hits_total{probe="sample:loop"}'},
                         lambda v: v.get("hits") == "100")
    check("a real Prometheus scrapes the exact total of two runs (40 + 60 hits)",
          v.get("hits") == "100", f"{v}")
    server = os.path.join(ROOT, OUTPUT, "samples", "server")
    s = Served(f"{server}:server:request__begin", f"{server}:server:request__end",
               cmd="latency")
    def two_runs(query):
        # rate() needs the count to grow between two scrapes: 15, scraped,
        # then 15 more
        subprocess.run([server, "-n", "15", "-s", "2000", "-k", "1"], stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while query("usdtrace_latency_seconds_count") != "15" and time.time() < deadline:
            time.sleep(0.5)
        subprocess.run([server, "-n", "15", "-s", "2000", "-k", "1"], stdout=subprocess.DEVNULL)
    v = prometheus_query(
        s, two_runs,
        {"count": "usdtrace_latency_seconds_count",
         "p50": "histogram_quantile(0.5, usdtrace_latency_seconds_bucket)",
         "doc": fleet_p99(),
         "top": "histogram_quantile(1, usdtrace_latency_seconds_bucket)"},
        lambda v: v.get("count") == "30" and v.get("p50") not in (None, "NaN") and
        v.get("doc") not in (None, "NaN") and v.get("top") not in (None, "NaN"))
    p50 = float(v["p50"]) if v.get("p50") not in (None, "NaN") else -1
    # every request sleeps 2 ms (and a little more): Prometheus interpolates
    # inside the kernel's bucket holding that, at most 25% wide either way
    check("latency --serve: Prometheus has _count exact and histogram_quantile within one "
          "bucket of the truth",
          v.get("count") == "30" and 0.002 / 1.25 <= p50 <= 0.002 * 1.25 ** 2,
          f"{v}")
    p99 = float(v["doc"]) if v.get("doc") not in (None, "NaN") else -1
    top = float(v["top"]) if v.get("top") not in (None, "NaN") else -1
    # the p99 of 15 requests is about their slowest, which a VM may delay:
    # it must lie between the 2 ms every request sleeps and the upper bound
    # of the highest bucket holding a request (quantile 1 of all of them)
    check("docs/fleet.md's p99 query, as written, through Prometheus: between the sleep "
          "and the upper bound of the highest occupied bucket",
          0.002 / 1.25 <= p99 <= top, f"{v}")


def fleet_blocks():
    """The fenced blocks of docs/fleet.md, by their first line."""
    with open(os.path.join(ROOT, "docs", "fleet.md")) as f:
        doc = f.read()
    return {b.splitlines()[0]: b for b in re.findall(r"```\w*\n(.*?)```", doc, re.S)}


def fleet_p99():
    return next(b.strip() for b in fleet_blocks().values()
                if b.startswith("histogram_quantile(0.99"))


def web_setup(d):
    """A certificate for 127.0.0.1 and its key (openssl), a user with a
    bcrypt hash (crypt), and the web config naming them."""
    cert, key, web = (os.path.join(d, n) for n in ("cert.pem", "key.pem", "web.yml"))
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True)
    if r.returncode:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # in Python 3.11: libcrypt's bcrypt, as usdtrace checks it
    hashed = crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 5))
    with open(web, "w") as f:
        f.write(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n"
                f"basic_auth_users:\n  prom: '{hashed}'\n")
    return cert, web


def test_web_config():
    """--web-config in exporter-toolkit's format: TLS and basic auth; a
    missing or wrong password 401, plain HTTP on the TLS port nothing, a bad
    file one line before anything attaches; a real Prometheus scrapes it."""
    with tempfile.TemporaryDirectory() as d:
        got = web_setup(d)
        if not check("web config: a certificate and a bcrypt hash made", got is not None,
                     "openssl or crypt failed"):
            return
        cert, web = got
        s = Served(f"{SAMPLE}:sample:loop", web=web, auth=("prom", "s3cret"), cafile=cert)
        subprocess.run([SAMPLE, "-n", "25"], stdout=subprocess.DEVNULL)
        total = metric(scrape_until(s, lambda x: metric(x, "usdtrace_probe_hits_total",
                                                        probe="sample:loop") == 25),
                       "usdtrace_probe_hits_total", probe="sample:loop")
        check("web config: TLS and the right password: the metrics", total == 25, f"{total}")
        no_auth = s.get("/metrics", auth=False)
        wrong = get(s.url + "/metrics", 10, ("prom", "wrong"), cert)
        nobody = get(s.url + "/metrics", 10, ("eve", "s3cret"), cert)
        check("web config: no password, a wrong one, an unknown user: 401 each",
              (no_auth[0], wrong[0], nobody[0]) == (401, 401, 401),
              f"{no_auth[0]} {wrong[0]} {nobody[0]}")
        try:
            plain = get(f"http://127.0.0.1:{s.port}/metrics", 3, ("prom", "s3cret"))
        except OSError as e:
            plain = (str(e),)
        check("web config: plain HTTP on the TLS port gets no answer",
              not isinstance(plain[0], int), f"{plain}")
        if shutil.which("prometheus"):
            extra = (f"    scheme: https\n    tls_config:\n      ca_file: {cert}\n"
                     "    basic_auth:\n      username: prom\n      password: s3cret\n")

            def runs(query):
                subprocess.run([SAMPLE, "-n", "15"], stdout=subprocess.DEVNULL)
            v = prometheus_query(s, runs, {"hits": 'usdtrace_probe_hits_total{probe='
                                           '"sample:loop"}'},
                                 lambda v: v.get("hits") == "40", extra)
            check("web config: a real Prometheus scrapes over TLS with basic auth",
                  v.get("hits") == "40", f"{v}")
        else:
            s.stop()
            check("web config: prometheus", False, "no prometheus (scripts/setup.sh)")
        bad = os.path.join(d, "bad.yml")
        for text, why in (("basic_auth_users:\n  prom: plaintext\n",
                           "basic_auth_users: prom: not a bcrypt hash ($2y$...)"),
                          ("tls_server_config:\n  cert_file: /nonexistent.pem\n"
                           "  key_file: /nonexistent.key\n", "/nonexistent.pem: No such file"),
                          ("basic_auth_users: {prom: [unclosed\n", "line ")):
            with open(bad, "w") as f:
                f.write(text)
            r = usdtrace("count", "--serve", f"127.0.0.1:{free_port()}", "--web-config", bad,
                         f"{SAMPLE}:sample:loop")
            check(f"web config: a bad file is one line before attaching ({why[:30]})",
                  r.returncode == 1 and r.stderr.startswith(f"usdtrace: --web-config {bad}: ")
                  and why in r.stderr and r.stderr.count("\n") == 1 and
                  "attached" not in r.stderr, r.stderr)
        r = usdtrace("count", "--web-config", web, f"{SAMPLE}:sample:loop")
        check("web config: without --serve, refused", r.returncode == 1 and
              "--web-config" in r.stderr and "is for --serve" in r.stderr, r.stderr)


def test_fleet_docs():
    blocks = fleet_blocks()
    with tempfile.TemporaryDirectory() as d:
        for head, cmd in (("# /etc/prometheus/rules/usdtrace.yml", "rules"),
                          ("# prometheus.yml", "config")):
            path = os.path.join(d, cmd + ".yml")
            with open(path, "w") as f:
                f.write(blocks.get(head, ""))
            r = subprocess.run(["promtool", "check", cmd, path], capture_output=True,
                               text=True)
            check(f"docs/fleet.md: promtool check {cmd} accepts its block as written",
                  head in blocks and r.returncode == 0 and "SUCCESS" in r.stdout,
                  r.stdout + r.stderr)


if os.getuid() != 0:
    check("serve tests", False, "need root")
else:
    test_exposition()
    test_hostile()
    test_bad()
    test_silent_client()
    test_hist()
    test_lang()
    test_fleet_docs()
    test_prometheus()
    test_web_config()
summary_exit()
