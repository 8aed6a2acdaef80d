#!/bin/sh
# Cross-architecture determinism (issue 19): the consensus vectors
# (tests/common/vectors: keys, addresses, block hashes, signatures, wire
# bytes, work values, u128 arithmetic) and the VM replay (state roots of
# every program and the event digest of a generated transcript, in creation
# order and a shuffled order) must be byte-identical between a native build
# and a cross build run under an emulator.
# Usage: cross_compare.sh NATIVE_BUILD CROSS_BUILD EMULATOR [ARGS...]
#   e.g. cross_compare.sh build build-armhf qemu-arm -L SYSROOT
set -eu
native="$1"
cross="$2"
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for b in "$native" "$cross"; do
    for p in tests/common/vectors tests/vm/programs/replay; do
        if [ ! -x "$b/$p" ]; then
            echo "cross_compare: $b/$p is not built" >&2
            exit 1
        fi
    done
done
"$native/tests/common/vectors" > "$tmp/native-vectors.txt"
"$@" "$cross/tests/common/vectors" > "$tmp/cross-vectors.txt"
cmp "$tmp/native-vectors.txt" "$tmp/cross-vectors.txt"
for seed in 0 4711; do
    "$native/tests/vm/programs/replay" "$tmp/n$seed.db" "$seed" > "$tmp/native-replay-$seed.txt"
    "$@" "$cross/tests/vm/programs/replay" "$tmp/c$seed.db" "$seed" > "$tmp/cross-replay-$seed.txt"
    cmp "$tmp/native-replay-$seed.txt" "$tmp/cross-replay-$seed.txt"
done
cmp "$tmp/native-replay-0.txt" "$tmp/native-replay-4711.txt"
grep -q '^events [1-9]' "$tmp/native-replay-0.txt"
echo "cross_compare: identical ($(wc -l < "$tmp/native-vectors.txt") vector lines," \
     "$(wc -l < "$tmp/native-replay-0.txt") replay lines)"
