"""Least privilege (issue 17), on a real node:

1. files are private: a data dir made 0755 under umask 022 with a 0644
   wallets.db and node.key comes out 0700 with every file 0600 (and the
   fixes logged);
2. every child shows NoNewPrivs 1 and Seccomp 2 in /proc/PID/status;
3. the control socket obeys roles: a process in a child's process group
   cannot stop or restart the node (it may ask for status); the operator
   (this process: same uid or root, not a child) can stop it;
4. started as root with [supervisor] user = nobody, the supervisor and
   every child run as nobody with no capability, the data dir is nobody's;
   started as root on the test network with no 'smallnano' user, the node
   refuses to start (allow_root defaults to dev only).

usage: test_privacy.py SMALLNANOD
"""
import os
import pwd
import stat
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nodeutil import NAMES, Client, IpcError, Node, call, fail  # noqa: E402


def status_fields(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def status_task(pid, tid):
    out = {}
    with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def modes(root):
    """Every path under root with its mode bits and owner."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (stat.S_IMODE(st.st_mode), st.st_mode, st.st_uid)
    st = os.lstat(root)
    out["."] = (stat.S_IMODE(st.st_mode), st.st_mode, st.st_uid)
    return out


def check_private(data, uid):
    bad = []
    for rel, (mode, full, owner) in sorted(modes(data).items()):
        want = 0o700 if stat.S_ISDIR(full) else 0o600
        if mode != want or owner != uid:
            bad.append("%s %03o uid %d" % (rel, mode, owner))
    if bad:
        fail("not private (want dirs 700, files 600, uid %d): %s" % (uid, ", ".join(bad)))


def ask_from_group(sock, pgid, kind, **fields):
    """Send one control request from a forked process that joined the
    process group pgid (a child's); returns the error text or "ok"."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setpgid(0, pgid)
            try:
                Client(sock).request(kind, **fields)
                msg = "ok"
            except IpcError as e:
                msg = "error: %s" % e
        except Exception as e:  # noqa: BLE001 - reported to the parent
            msg = "failed: %r" % e
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return out.decode()


def part_modes_sandbox_control(smallnanod):
    old = os.umask(0o022)
    try:
        node = Node(smallnanod, "", autostart=False)
        with node:
            os.mkdir(node.data, 0o755)
            with open(os.path.join(node.data, "wallets.db"), "wb"):
                pass
            with open(os.path.join(node.data, "node.key"), "wb") as f:
                f.write(os.urandom(32))
            os.chmod(os.path.join(node.data, "node.key"), 0o644)
            node.start()
            procs = node.wait_ready()
            log = node.read_log()
            for frag in ("data directory %s had mode 755, set to 700" % node.data,
                         "wallets.db had mode 644, set to 600", "node.key had mode 644, set to 600"):
                if frag not in log:
                    fail("log does not say %r:\n%s" % (frag, log))
            check_private(node.data, os.geteuid())
            print("ok: data dir 700, every file 600 (%d paths)" % len(modes(node.data)))

            threads = 0
            for name in NAMES:
                pid = procs[name]["pid"]
                # every thread, not only the main one (the ledger's and
                # rpc's pools are started before the sandbox)
                for tid in os.listdir("/proc/%d/task" % pid):
                    st = status_fields(int(tid)) if tid == str(pid) else \
                        status_task(pid, int(tid))
                    threads += 1
                    if st.get("NoNewPrivs") != "1" or st.get("Seccomp") != "2":
                        fail("%s thread %s: NoNewPrivs %s, Seccomp %s" % (
                            name, tid, st.get("NoNewPrivs"), st.get("Seccomp")))
            print("ok: every child NoNewPrivs 1, Seccomp 2 (%d threads)" % threads)

            ctl = node.sock("control")
            net = procs["net"]["pid"]
            got = ask_from_group(ctl, net, "node_stop")
            if "the net process" not in got or "may not stop" not in got:
                fail("node_stop from net's process group: %r" % got)
            got = ask_from_group(ctl, net, "node_restart", name="ledger")
            if "may not stop" not in got:
                fail("node_restart from net's process group: %r" % got)
            got = ask_from_group(ctl, net, "node_status")
            if got != "ok":
                fail("node_status from net's process group: %r" % got)
            if "refused node_stop" not in node.read_log():
                fail("the refusal is not logged:\n" + node.read_log())
            after = node.wait_ready(timeout=5)
            if after["ledger"]["pid"] != procs["ledger"]["pid"]:
                fail("the ledger was restarted although the request was refused")
            print("ok: a child's process group cannot stop or restart the node")

            call(ctl, "node_stop")
            if node.wait_exit(30) != 0:
                fail("operator's node_stop: exit %r\n%s" % (node.proc.returncode, node.read_log()))
            print("ok: the operator stops the node")
    finally:
        os.umask(old)


def part_root(smallnanod):
    if os.geteuid() != 0:
        # Not root: there is nothing to drop; the node runs as this user.
        with Node(smallnanod, "[supervisor]\nuser = nobody\n") as node:
            procs = node.wait_ready()
            st = status_fields(procs["ledger"]["pid"])
            if st["Uid"].split()[0] != str(os.geteuid()):
                fail("not root, yet the ledger runs as %s" % st["Uid"])
        print("ok: not root: runs as the calling user")
        return
    nobody = pwd.getpwnam("nobody")
    node = Node(smallnanod, "[supervisor]\nuser = nobody\n", autostart=False)
    with node:
        os.chmod(node.dir, 0o711)  # nobody must reach DATA_DIR inside it
        node.start()
        procs = node.wait_ready()
        want = " ".join([str(nobody.pw_uid)] * 4)
        sup = status_fields(node.proc.pid)
        if sup["Uid"].split() != want.split() or sup["CapEff"] != "0000000000000000":
            fail("supervisor: Uid %s CapEff %s" % (sup["Uid"], sup["CapEff"]))
        for name in NAMES:
            st = status_fields(procs[name]["pid"])
            caps = [st[k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")]
            if st["Uid"].split() != want.split() or any(int(c, 16) for c in caps):
                fail("%s: Uid %s caps %s" % (name, st["Uid"], caps))
        check_private(node.data, nobody.pw_uid)
        call(node.sock("control"), "node_stop")  # root may
        if node.wait_exit(30) != 0:
            fail("stop as root: exit %r\n%s" % (node.proc.returncode, node.read_log()))
    print("ok: root with user = nobody: every process nobody, no capability, files nobody's")

    try:
        pwd.getpwnam("smallnano")
        print("ok: (a 'smallnano' user exists here: the refusal below does not apply)")
        return
    except KeyError:
        pass
    node = Node(smallnanod, "", extra_args=["--network", "test"], autostart=False)
    with node:
        node.start()
        rc = node.wait_exit(20)
        log = node.read_log()
        if rc != 1 or "refusing to run as root" not in log or "allow_root" not in log:
            fail("root on test without a smallnano user: exit %r\n%s" % (rc, log))
    print("ok: root on the test network without a 'smallnano' user is refused")


def main():
    part_modes_sandbox_control(sys.argv[1])
    part_root(sys.argv[1])


if __name__ == "__main__":
    main()
