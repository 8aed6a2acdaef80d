"""Nodes started on a ledger bench_ledger built: the binaries (the release
build's when SMN_RELEASE_BUILD names one, as .ci/run sets it) and the
ledger.db itself.

With SMN_RELEASE_BUILD set the node and bench_ledger come from that release
build: a test that bounds rows by a cap then measures what a row costs in
the release build; the sanitizers make each row several times slower.
"""
import os
import subprocess

from test_node_util import check


def binaries(smallnanod, bench):
    """(smallnanod, bench_ledger): the release build's when it has both."""
    rel = os.environ.get("SMN_RELEASE_BUILD")
    if rel:
        r_node = os.path.join(rel, "supervisor", "smallnanod")
        r_bench = os.path.join(rel, "tests", "bench", "ledger", "bench_ledger")
        if os.path.exists(r_node) and os.path.exists(r_bench):
            return r_node, r_bench
    return smallnanod, bench


def build(bench, work, args):
    """Runs bench_ledger ARGS -k -d WORK (the signed blocks are cached under
    /tmp, built once) and returns the path of the ledger.db it kept."""
    r = subprocess.run([bench] + list(args) + ["-k", "-d", work],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    db = os.path.join(work, "ledger.db")
    check(r.returncode == 0 and os.path.exists(db),
          "bench_ledger exited %d:\n%s" % (r.returncode, r.stdout.decode()[-3000:]))
    return db
