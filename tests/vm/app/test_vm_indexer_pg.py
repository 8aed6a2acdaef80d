"""The example indexer (docs/examples/vm_indexer.py) against a real node and
a real PostgreSQL server started here (its own cluster in a temp dir, on a
free loopback port; run as `nobody` when the test runs as root, since
PostgreSQL refuses root):

  1. tokens are etched, minted and transferred through the CLI;
  2. the indexer follows the event socket into PostgreSQL; it is killed
     (SIGKILL) in the middle of its backlog (it sleeps per event here), more
     transfers happen while it is down, the vm is restarted once (clean
     stop: disconnect{shutdown}), and it is started again;
  3. PostgreSQL's balances equal the node's vm_balances for every account
     and token (so no event was lost or applied twice), and its cursor is
     the node's last token event.

usage: test_vm_indexer_pg.py SMALLNANOD SMALLNANO_CLI INDEXER DOCS_VM_MD
"""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
from test_node_util import DevNode  # noqa: E402
from nodeutil import fail  # noqa: E402
from test_vm_util import VmUser, address_key  # noqa: E402

SMN = 10 ** 30


def check(cond, msg):
    if not cond:
        fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pg_bin(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if not found:
        fail("PostgreSQL's %s not found: .ci/install-deps installs Debian's postgresql" % name)
    return found[-1]


def python_with_msgpack():
    """The example needs Debian's python3-msgpack and python3-psycopg2."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([exe, "-c", "import msgpack, psycopg2"],
                          capture_output=True).returncode == 0:
            return exe
    fail("no python3 with msgpack and psycopg2: .ci/install-deps installs python3-msgpack "
         "and python3-psycopg2")


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="smn-pg-")
        os.chmod(self.dir, 0o755)
        self.port = free_port()
        self.proc = None
        self.as_user = []
        if os.getuid() == 0:
            os.chown(self.dir, pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self.data = os.path.join(self.dir, "data")

    def start(self):
        subprocess.run(self.as_user + [pg_bin("initdb"), "-D", self.data, "-U", "postgres",
                                       "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)
        self.log = open(os.path.join(tempfile.gettempdir(), "smn-pg-%d.log" % self.port), "w")
        self.proc = subprocess.Popen(
            self.as_user + [pg_bin("postgres"), "-D", self.data, "-p", str(self.port),
                            "-c", "listen_addresses=127.0.0.1", "-k", self.dir,
                            "-c", "fsync=off"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("postgres exited: " + open(self.log.name).read())
            if self.psql("SELECT 1", check=False) == "1":
                return
            time.sleep(0.1)
        fail("postgres did not start: " + open(self.log.name).read())

    def dsn(self):
        return "host=127.0.0.1 port=%d user=postgres dbname=postgres" % self.port

    def psql(self, sql, check=True):
        p = subprocess.run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port),
                            "-U", "postgres", "-d", "postgres", "-c", sql],
                           capture_output=True, text=True)
        if check and p.returncode != 0:
            fail("psql %r: %s" % (sql, p.stderr))
        return p.stdout.strip()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Indexer:
    def __init__(self, exe, script, sock, dsn, slow):
        self.args = [exe, script, "--socket", sock, "--dsn", dsn, "--slow", str(slow)]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def main():
    smallnanod, cli, script, doc = sys.argv[1:5]
    exe = python_with_msgpack()
    pg = Postgres()
    idx = None
    try:
        pg.start()
        with DevNode(smallnanod) as n:
            app = VmUser(n, cli, doc)
            wallet, gen = n.demo()
            accs = [n.ok("account_create", wallet=wallet)["account"] for _ in range(3)]
            hs = [n.ok("send", wallet=wallet, source=gen, destination=a,
                       amount=str(100 * SMN))["block"] for a in accs]
            n.wait_confirmed(hs)
            _, ev = app.send("etch", "Gold", "GLD", 0, 10 ** 9)
            gold = ev["token.etch"]["token"]
            _, ev = app.send("etch", "Iron", "IRN", 3, 10 ** 9)
            iron = ev["token.etch"]["token"]
            app.send("mint", gold, 100000)
            app.send("mint", iron, 50000)
            for i, a in enumerate(accs):
                app.send("transfer", gold, 1000 * (i + 1), "--to", a)
                app.send("transfer", iron, 7 + i, "--to", a)
            sock = os.path.join(n.data, "run", "vm-events.sock")
            idx = Indexer(exe, script, sock, pg.dsn(), slow=60)
            idx.start()

            def pg_cursor():
                v = pg.psql("SELECT cursor FROM vm_cursor WHERE id = 1", check=False)
                return int(v) if v.isdigit() else 0
            deadline = time.time() + 30
            while pg_cursor() == 0:
                check(time.time() < deadline and idx.proc.poll() is None,
                      "the indexer applied nothing: " + (idx.proc.stderr.read()
                                                         if idx.proc.poll() is not None else ""))
                time.sleep(0.02)
            idx.kill()  # mid-backlog: it sleeps 60 ms per event
            head = n.ok("vm_events", type="token", count="10000")["events"][-1]["cursor"]
            at_kill = pg_cursor()
            check(0 < at_kill < head, "killed at cursor %d of %d: not mid-way" % (at_kill, head))
            # more while it is down, and a clean vm restart
            app.send("transfer", gold, 55, "--to", accs[0], "--source", accs[1])
            app.send("transfer", iron, 1, "--to", accs[2], "--source", accs[0])
            app.send("transfer", gold, 10 ** 8, "--to", accs[2], "--source", accs[0])  # fails
            idx = Indexer(exe, script, sock, pg.dsn(), slow=0)
            idx.start()
            vm = [p for p in n.status() if p["name"] == "vm"][0]
            os.kill(vm["pid"], signal.SIGTERM)
            n.wait_ready()
            app.send("transfer", gold, 5, "--to", accs[1])
            head = n.ok("vm_events", type="token", count="10000")["events"][-1]["cursor"]
            deadline = time.time() + 30
            while pg_cursor() < head:
                check(time.time() < deadline and idx.proc.poll() is None,
                      "the indexer stopped at %d of %d" % (pg_cursor(), head))
                time.sleep(0.05)
            # compare every balance with the node's
            want = {}
            for a in [gen] + accs:
                for b in n.ok("vm_balances", account=a)["balances"]:
                    if b["program"] == "smn.token":
                        want[(b["asset"], address_key(a))] = int(b["amount"])
            got = {}
            for line in pg.psql("SELECT token, account, amount FROM vm_token_balances").splitlines():
                t, a, amt = line.split("|")
                got[(t, a)] = int(amt)
            check(got == want, "PostgreSQL %r != node %r" % (got, want))
            check(len(want) >= 8, "too few balances to mean anything: %r" % want)
            names = pg.psql("SELECT symbol FROM vm_tokens ORDER BY symbol")
            check(names.split() == ["GLD", "IRN"], "tokens: %r" % names)
            check(any(k[0] == gold for k in want) and any(k[0] == iron for k in want), repr(want))
            idx.kill()
            n.stop()
    finally:
        if idx:
            idx.kill()
        pg.stop()
    print("ok")


if __name__ == "__main__":
    main()
