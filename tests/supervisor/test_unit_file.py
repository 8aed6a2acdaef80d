"""config/smallnanod.service passes `systemd-analyze verify`, with ExecStart
pointing at the built smallnanod (verify checks that the binary exists).
Skipped (exit 77) when systemd-analyze is not installed.

usage: test_unit_file.py UNIT_FILE SMALLNANOD
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    unit, daemon = sys.argv[1], os.path.abspath(sys.argv[2])
    tool = shutil.which("systemd-analyze")
    if not tool:
        print("skip: systemd-analyze not installed")
        sys.exit(77)
    text = open(unit).read()
    for key in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ProtectHome=", "PrivateTmp=yes",
                "ReadWritePaths=/var/lib/smallnano",
                # rpc caps its connections below RLIMIT_NOFILE; systemd's
                # default soft limit (1024) is too low for a public node
                "LimitNOFILE="):
        if key not in text:
            print("FAIL: unit lacks %s" % key, file=sys.stderr)
            sys.exit(1)
    text, n = re.subn(r"^ExecStart=\S+", "ExecStart=" + daemon, text, flags=re.M)
    if n != 1:
        print("FAIL: no single ExecStart line", file=sys.stderr)
        sys.exit(1)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "smallnanod.service")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([tool, "verify", path], capture_output=True, text=True, timeout=60)
        # verify also lints units it pulls in from the host; only our file counts.
        ours = [l for l in (p.stdout + p.stderr).splitlines() if "smallnanod.service" in l]
        if p.returncode != 0 or ours:
            print("FAIL: systemd-analyze verify (rc %d):\n%s%s" % (p.returncode, p.stdout, p.stderr),
                  file=sys.stderr)
            sys.exit(1)
    print("ok: systemd-analyze verify passes")


if __name__ == "__main__":
    main()
