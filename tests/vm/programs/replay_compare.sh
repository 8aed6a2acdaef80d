#!/bin/sh
# Determinism across builds: this build's replay in creation order and in
# two random topological orders, and, when SMN_RELEASE_BUILD names an
# optimised build dir, that build's replay too, must print the same roots
# and event digest.
set -eu
replay="$1"
# In a cross build meson names the emulator (qemu-arm -L ...): word-split on purpose.
run="${MESON_EXE_WRAPPER:-}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
$run "$replay" "$tmp/a.db" 0 > "$tmp/a.txt"
$run "$replay" "$tmp/b.db" 17 > "$tmp/b.txt"
$run "$replay" "$tmp/c.db" 4711 > "$tmp/c.txt"
cmp "$tmp/a.txt" "$tmp/b.txt"
cmp "$tmp/a.txt" "$tmp/c.txt"
grep -q '^events [1-9]' "$tmp/a.txt"
if [ -n "${SMN_RELEASE_BUILD:-}" ]; then
    other="$SMN_RELEASE_BUILD/tests/vm/programs/replay"
    if [ ! -x "$other" ]; then
        echo "replay_compare: $other is not built" >&2
        exit 1
    fi
    "$other" "$tmp/r.db" 0 > "$tmp/r.txt"
    cmp "$tmp/a.txt" "$tmp/r.txt"
    echo "replay_compare: identical to $other"
fi
cat "$tmp/a.txt"
