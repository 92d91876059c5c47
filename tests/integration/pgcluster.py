"""pgcluster.py - a throwaway PostgreSQL cluster for the tests: initdb into
a temporary directory, the server on a Unix socket in that directory (no
TCP), autovacuum off so that no background transaction mixes into exact
counts, stopped and removed at the end. Never the system's cluster.

    with PgCluster() as pg:
        pg.psql("SELECT 1")
        pg.pgbench("-n", "-t", "10")
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time


def pg_bindir():
    """The newest Debian PostgreSQL's bin directory, or None."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return dirs[-1] if dirs else None


class PgCluster:
    def __init__(self, user="postgres", settings=()):
        self.bindir = pg_bindir()
        self.settings = list(settings)   # more "name=value" for the server
        self.user = user
        self.dir = None
        self.server = None

    def _as_user(self, args, **kw):
        pw = pwd.getpwnam(self.user)

        def drop():
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
        return subprocess.run(args, preexec_fn=drop, capture_output=True, text=True,
                              cwd=self.dir, **kw)

    def __enter__(self):
        pw = pwd.getpwnam(self.user)
        self.dir = tempfile.mkdtemp(prefix="usdtrace-pg-")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        r = self._as_user([os.path.join(self.bindir, "initdb"), "-D", data, "-A", "trust",
                           "-U", "postgres", "--no-sync"])
        if r.returncode:
            raise RuntimeError("initdb: " + r.stderr)
        pw_drop = pwd.getpwnam(self.user)

        def drop():
            os.setgid(pw_drop.pw_gid)
            os.setuid(pw_drop.pw_uid)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        self.server = subprocess.Popen(
            [os.path.join(self.bindir, "postgres"), "-D", data, "-k", self.dir,
             "-c", "listen_addresses=", "-c", "autovacuum=off", "-c", "fsync=off",
             "-c", "unix_socket_permissions=0777",
             *[a for kv in self.settings for a in ("-c", kv)]],
            preexec_fn=drop, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.time() + 30
        while True:
            r = self._as_user([os.path.join(self.bindir, "pg_isready"), "-h", self.dir,
                               "-q"])
            if r.returncode == 0:
                break
            if time.time() > deadline or self.server.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("postgres did not start: " +
                                   open(os.path.join(self.dir, "server.log")).read())
            time.sleep(0.1)
        return self

    @property
    def pid(self):
        return self.server.pid

    @property
    def binary(self):
        return os.path.join(self.bindir, "postgres")

    def psql(self, *sql):
        """Each statement in its own psql -c (one simple query each)."""
        args = [os.path.join(self.bindir, "psql"), "-X", "-q", "-h", self.dir, "-U",
                "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=0"]
        for s in sql:
            args += ["-c", s]
        return self._as_user(args, timeout=60)

    def session(self):
        """A psql connected now, reading statements from its stdin (a
        client that was there before the tracer); close its stdin to end it."""
        pw = pwd.getpwnam(self.user)

        def drop():
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
        p = subprocess.Popen([os.path.join(self.bindir, "psql"), "-X", "-q", "-h", self.dir,
                              "-U", "postgres", "-d", "postgres", "-A", "-t"],
                             preexec_fn=drop, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, cwd=self.dir)
        p.stdin.write("SELECT 'connected';\n")
        p.stdin.flush()
        p.stdout.readline()
        return p

    @staticmethod
    def send(session, statements):
        """@statements through a session(), waited for until all ran."""
        for st in statements:
            session.stdin.write(st + "\n")
        session.stdin.write("SELECT 'done', 'marker';\n")
        session.stdin.flush()
        while "done" not in session.stdout.readline():
            pass

    def psql_cmd(self, sql):
        """The psql command line (for usdtrace -c)."""
        return (f"{os.path.join(self.bindir, 'psql')} -X -q -h {self.dir} -U postgres "
                f"-d postgres -c \"{sql}\"")

    def pgbench(self, *args):
        return self._as_user([os.path.join(self.bindir, "pgbench"), "-h", self.dir, "-U",
                              "postgres", *args, "postgres"], timeout=300)

    def __exit__(self, *exc):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False
