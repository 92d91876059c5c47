"""test_libvirt.py - libvirt traced for real: a libvirtd of the test's own
(session mode, run as an unprivileged user, its socket in a temporary
directory, the test:///default driver behind it: no QEMU needed) and virsh
as its client. RPC messages are counted on both sides, exactly (each
message one side queues the other receives), CONNECT_OPEN once per virsh
run; the semaphores of the probes in libvirt.so are raised while usdtrace
is attached and back to 0 after; trace shows each call's program,
procedure and serial (serials 0, 1, 2... on one connection); `list -p` of
the daemon finds the probes of the driver it dlopen'd, as readelf does;
`calls -l libvirt` pairs every call with its reply by serial, one row per
end and procedure, named from libvirtd's own dispatch tables."""
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import OUTPUT, ROOT, check, readelf_sites, sample_semaphore, summary_exit, usdtrace

USDTRACE = os.path.join(ROOT, OUTPUT, "usdtrace")
LIBVIRTD = "/usr/sbin/libvirtd"
REMOTE_PROGRAM = 0x20008086
PROC_CONNECT_OPEN = 1


class Daemon:
    """libvirtd in session mode as `nobody`, everything under a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="usdtrace-libvirt-")
        os.chmod(self.dir, 0o755)
        os.chown(self.dir, pwd.getpwnam("nobody").pw_uid, -1)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.dir,
               "XDG_RUNTIME_DIR": f"{self.dir}/run", "XDG_CONFIG_HOME": f"{self.dir}/config",
               "XDG_CACHE_HOME": f"{self.dir}/cache", "XDG_DATA_HOME": f"{self.dir}/data"}
        nobody = pwd.getpwnam("nobody")

        def drop():
            os.setgid(nobody.pw_gid)
            os.setgroups([])
            os.setuid(nobody.pw_uid)
            os.makedirs(env["XDG_RUNTIME_DIR"], exist_ok=True)
        self.log = open(os.path.join(self.dir, "libvirtd.log"), "w")
        self.p = subprocess.Popen([LIBVIRTD], env=env, preexec_fn=drop, cwd=self.dir,
                                  stdout=self.log, stderr=subprocess.STDOUT)
        self.sock = f"{self.dir}/run/libvirt/libvirt-sock"
        self.uri = f"test+unix:///default?socket={self.sock}"
        for _ in range(100):
            if os.path.exists(self.sock) and self.virsh("uri").returncode == 0:
                break
            time.sleep(0.1)

    def virsh(self, *args):
        return subprocess.run(["virsh", "-c", self.uri, *args], capture_output=True, text=True)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tracer:
    """usdtrace attached while the test drives libvirt; stopped by SIGINT."""

    def __init__(self, *args):
        self.p = subprocess.Popen([USDTRACE, *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        first = self.p.stdout.readline()	# --json: "attached" comes first
        self.lines = [first]

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(signal.SIGINT)
        out, err = self.p.communicate(timeout=60)
        self.recs = [json.loads(l) for l in (self.lines + out.splitlines()) if l.startswith("{")]
        self.err = err
        return self.p.returncode


def libvirt_so(pid):
    for line in open(f"/proc/{pid}/maps"):
        path = line.split()[-1]
        if os.path.basename(path).startswith("libvirt.so.0"):
            return path
    return None


def counts(recs):
    return {r["probe"]: r["count"] for r in recs if r.get("type") == "count"}


def test_rpc_counts(d):
    lib = libvirt_so(d.p.pid)
    server = Tracer("count", "--json", "-p", str(d.p.pid), "libvirt:rpc_server_client_msg_*",
                    "libvirt:rpc_server_client_new")
    opens = Tracer("count", "--json", "-p", str(d.p.pid),
                   f"libvirt:rpc_server_client_msg_rx /arg4 == {PROC_CONNECT_OPEN}/")
    sem_on = sample_semaphore(d.p.pid, lib, "libvirt:rpc_server_client_msg_rx")
    client = subprocess.run([USDTRACE, "count", "--json", "libvirt:rpc_client_msg_*", "-c",
                             f"virsh -c {d.uri} list --all"], capture_output=True, text=True)
    runs = 4
    for _ in range(runs - 1):
        d.virsh("list", "--all")
    rc = server.stop()
    opens.stop()
    sem_off = sample_semaphore(d.p.pid, lib, "libvirt:rpc_server_client_msg_rx")
    srv, cli = counts(server.recs), counts([json.loads(l) for l in client.stdout.splitlines()
                                            if l.startswith("{")])
    check("libvirt: usdtrace count -c 'virsh ...' counts the client's RPC messages, a reply "
          "for each call", client.returncode == 0 and cli.get("libvirt:rpc_client_msg_tx_queue")
          and cli.get("libvirt:rpc_client_msg_tx_queue") == cli.get("libvirt:rpc_client_msg_rx"),
          f"{cli} {client.stderr[-300:]}")
    tx, rx = cli.get("libvirt:rpc_client_msg_tx_queue", 0), cli.get("libvirt:rpc_client_msg_rx", 0)
    check(f"libvirt: libvirtd received exactly what {runs} virsh runs sent, and sent what "
          "they received", rc == 0 and srv.get("libvirt:rpc_server_client_msg_rx") == runs * tx
          and srv.get("libvirt:rpc_server_client_msg_tx_queue") == runs * rx,
          f"server {srv} client {cli} x{runs} {server.err[-300:]}")
    check(f"libvirt: one client connection and one CONNECT_OPEN per virsh run ({runs})",
          srv.get("libvirt:rpc_server_client_new") == runs and
          counts(opens.recs).get("libvirt:rpc_server_client_msg_rx") == runs,
          f"{srv} {counts(opens.recs)} {opens.err[-300:]}")
    check("libvirt: the probes' semaphore in libvirt.so is raised while attached, 0 after",
          lib and sem_on and sem_on >= 1 and sem_off == 0, f"{lib} on {sem_on} off {sem_off}")


def test_rpc_trace(d):
    r = usdtrace("trace", "--json", "libvirt:rpc_client_msg_tx_queue", "-c",
                 f"virsh -c {d.uri} list --all")
    ev = [x for x in (json.loads(l) for l in r.stdout.splitlines() if l.startswith("{"))
          if x.get("type") == "event"]
    args = [x["args"] for x in ev]
    check("libvirt: trace shows each call's program (REMOTE_PROGRAM), procedure "
          "(CONNECT_OPEN once) and serial (0, 1, 2... on the connection)",
          r.returncode == 0 and args and all(a[2] == REMOTE_PROGRAM for a in args) and
          [a[4] for a in args].count(PROC_CONNECT_OPEN) == 1 and
          [a[7] for a in args] == list(range(len(args))),
          f"{args[:3]} {r.stderr[-300:]}")


def test_calls(d):
    """calls -l libvirt: each call paired with its reply by serial, per end and
    procedure, named from libvirtd's own dispatch tables; exact counts."""
    runs = 3
    t = Tracer("calls", "-l", "libvirt", "--json")
    for _ in range(runs):
        d.virsh("list", "--all")
    bad = d.virsh("dominfo", "no-such-domain")
    rc = t.stop()
    rows = {(r["end"], r["procedure"]): r for r in t.recs if r.get("type") == "rpc"}

    def calls(end, proc):
        return rows.get((end, proc), {}).get("calls")
    check(f"calls -l libvirt: CONNECT_OPEN once per virsh run ({runs + 1}), on the client "
          "and on the server, named from libvirtd's tables", rc == 0 and
          calls("client", "REMOTE_PROC_CONNECT_OPEN") == runs + 1 and
          calls("server", "REMOTE_PROC_CONNECT_OPEN") == runs + 1,
          f"{sorted(rows)} {t.err[-300:]}")
    check(f"calls -l libvirt: CONNECT_LIST_ALL_DOMAINS once per `virsh list` ({runs}), both "
          "ends", calls("client", "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS") == runs and
          calls("server", "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS") == runs, f"{sorted(rows)}")
    look = [rows.get((e, "REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME"), {}) for e in ("client", "server")]
    check("calls -l libvirt: a lookup of a domain that does not exist is one call, one error, "
          "both ends", bad.returncode != 0 and
          all(x.get("calls") == 1 and x.get("errors") == 1 for x in look), f"{look}")
    both = [p for (e, p) in rows if e == "client" and ("server", p) in rows]
    inside = all(rows[("server", p)]["total_ns"] <= rows[("client", p)]["total_ns"]
                 for p in both)
    sane = all(r["min_ns"] <= r["mean_ns"] <= r["max_ns"] and r["p99_ns"] <= r["max_ns"]
               for r in rows.values())
    check("calls -l libvirt: the server's time for a procedure lies inside the client's; "
          "min <= mean <= max, p99 <= max", both and inside and sane,
          f"{[(p, rows[('server', p)]['total_ns'], rows[('client', p)]['total_ns']) for p in both]}")
    r = usdtrace("calls", "-l", "libvirt", "--min", "10ms", "-d", "1")
    check("calls -l libvirt --min: refused in one line", r.returncode == 1 and
          r.stderr == "usdtrace: calls: --min is not for an RPC runtime (-l libvirt)\n",
          r.stderr)


DOMAIN = """<domain type='qemu'>
  <name>usdtrace-test</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def test_monitor(d):
    """A TCG guest (64 MiB, no disk, no KVM needed) under the daemon's QEMU
    driver: its monitor commands seen with their JSON text, paired with their
    replies in calls -l libvirt, one row per command, errors counted."""
    uri = f"qemu+unix:///session?socket={d.sock}"
    xml = os.path.join(d.dir, "domain.xml")
    with open(xml, "w") as f:
        f.write(DOMAIN)
    os.chmod(xml, 0o644)
    made = subprocess.run(["virsh", "-c", uri, "create", xml], capture_output=True, text=True)
    if not check("libvirt: a TCG guest started under the test's libvirtd (QEMU driver)",
                 made.returncode == 0, made.stderr[-400:]):
        return
    runs = 3
    try:
        t = Tracer("calls", "-l", "libvirt", "--json", "-p", str(d.p.pid))
        tr = Tracer("trace", "--json", "-p", str(d.p.pid), "libvirt:qemu_monitor_send_msg(x,s,d)")
        for _ in range(runs):
            subprocess.run(["virsh", "-c", uri, "qemu-monitor-command", "usdtrace-test",
                            '{"execute":"query-status"}'], capture_output=True)
        bad = subprocess.run(["virsh", "-c", uri, "qemu-monitor-command", "usdtrace-test",
                              '{"execute":"no-such-command"}'], capture_output=True, text=True)
        rc, trc = t.stop(), tr.stop()
    finally:
        subprocess.run(["virsh", "-c", uri, "destroy", "usdtrace-test"], capture_output=True)
    rows = {(r["end"], r["procedure"]): r for r in t.recs if r.get("type") == "rpc"}
    status = rows.get(("qemu", "query-status"), {})
    nosuch = rows.get(("qemu", "no-such-command"), {})
    check(f"calls -l libvirt: the guest's monitor commands paired with their replies, "
          f"query-status {runs} times, an unknown command one error", rc == 0 and
          status.get("calls") == runs and not status.get("errors") and
          nosuch.get("calls") == 1 and nosuch.get("errors") == 1 and
          "CommandNotFound" in bad.stdout, f"{status} {nosuch} {bad.stdout[-200:]} {t.err[-300:]}")
    cmd = rows.get(("server", "QEMU_PROC_DOMAIN_MONITOR_COMMAND"), {})
    check("calls -l libvirt: the QEMU program's procedures named from libvirtd's table too",
          cmd.get("calls") == runs + 1, f"{sorted(rows)}")
    sent = [x["args"][1] for x in tr.recs if x.get("type") == "event"]
    check("libvirt: trace shows each monitor command's JSON text as libvirt sent it",
          trc == 0 and sum('"execute":"query-status"' in s for s in sent) == runs,
          f"{sent[:3]} {tr.err[-300:]}")


def test_list(d):
    r = usdtrace("list", "--json", "-p", str(d.p.pid))
    recs = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    by_file = {}
    for x in recs:
        by_file.setdefault(os.path.realpath(x["path"]), []).append((x["provider"], x["name"]))
    driver = next((f for f in by_file if "libvirt_driver_qemu" in f), None)
    want = {f: sorted((s["provider"], s["name"]) for s in readelf_sites(f))
            for f in by_file if "libvirt" in os.path.basename(f)}
    check("libvirt: list -p LIBVIRTD finds libvirtd's, libvirt.so's and the dlopen'd QEMU "
          "driver's probes, as readelf has them", r.returncode == 0 and driver and
          len(want) >= 3 and all(sorted(by_file[f]) == want[f] for f in want),
          f"{ {os.path.basename(f): len(v) for f, v in by_file.items()} }")


def main():
    if not shutil.which("virsh") or not os.path.exists(LIBVIRTD):
        check("libvirt: libvirtd and virsh installed (scripts/setup.sh)", False, "missing")
        summary_exit()
    d = Daemon()
    try:
        check("libvirt: a session libvirtd of the test's own answers virsh",
              d.virsh("uri").returncode == 0, open(os.path.join(d.dir, "libvirtd.log")).read()[-400:])
        test_rpc_counts(d)
        test_rpc_trace(d)
        test_calls(d)
        test_monitor(d)
        test_list(d)
    finally:
        d.stop()
    check("libvirt: the test's libvirtd is stopped", d.p.poll() is not None, "still running")
    summary_exit()


main()
