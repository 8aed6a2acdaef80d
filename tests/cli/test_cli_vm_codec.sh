#!/bin/sh
# smallnano-cli vm encode / vm decode: every input form and the errors.
# Usage: test_cli_vm_codec.sh <path to smallnano-cli>
set -u
CLI="$1"
fails=0
check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL $1: expected [$2] got [$3]"
        fails=$((fails + 1))
    else
        echo "ok   $1"
    fi
}
status() { # name expected-status command...
    name="$1"; want="$2"; shift 2
    "$@" >/dev/null 2>&1
    check "$name status" "$want" "$?"
}

check "encode empty" "061773105057391641899999999999" "$("$CLI" vm encode "")"
check "encode hello" "072141708033880511527732939236
359999999999999999999999999999" "$("$CLI" vm encode 68656c6c6f)"
check "encode upper-case hex" "$("$CLI" vm encode 68656c6c6f)" "$("$CLI" vm encode 68656C6C6F)"
check "encode --raw" "72141708033880511527732939236
359999999999999999999999999999" "$("$CLI" vm encode 68656c6c6f --raw)"

check "decode digits" "68656c6c6f" "$(printf '072141708033880511527732939236\n359999999999999999999999999999\n' | "$CLI" vm decode)"
check "decode smn amounts" "68656c6c6f" "$(printf '0.072141708033880511527732939236\n0.359999999999999999999999999999\n' | "$CLI" vm decode)"
check "decode raw amounts" "68656c6c6f" "$(printf '72141708033880511527732939236\n1000359999999999999999999999999999\n' | "$CLI" vm decode)"
check "decode CRLF and blank lines" "68656c6c6f" "$(printf '  072141708033880511527732939236\r\n\n359999999999999999999999999999\r\n' | "$CLI" vm decode)"
check "decode empty payload" "" "$(printf '061773105057391641899999999999\n' | "$CLI" vm decode)"
check "round trip" "00ff10203040aabbccddeeff" "$("$CLI" vm encode 00ff10203040aabbccddeeff | "$CLI" vm decode)"
check "round trip raw" "00ff10203040aabbccddeeff" "$("$CLI" vm encode 00ff10203040aabbccddeeff --raw | "$CLI" vm decode)"

# Strict rejects what converter.js tolerates; --lenient accepts it.
loose='000000000000000000000000000099
990721417080338805115277329392
363599999999999999999999999999'
status "strict rejects loose" 1 sh -c "printf '%s\n' '$loose' | '$CLI' vm decode"
check "strict error message" "error: padding digit 99 outside the end of the last chunk" "$(printf '%s\n' "$loose" | "$CLI" vm decode 2>&1)"
check "lenient accepts loose" "68656c6c6f" "$(printf '%s\n' "$loose" | "$CLI" vm decode --lenient)"
check "lenient junk text" "68656c6c6f" "$(printf 'amount 0.072141708033880511527732939236 smn\nx 0.359999999999999999999999999999\n' | "$CLI" vm decode --lenient)"

status "too few chunks" 1 sh -c "printf '072141708033880511527732939236\n' | '$CLI' vm decode"
check "too few message" "error: too few chunks for the payload length" "$(printf '072141708033880511527732939236\n' | "$CLI" vm decode 2>&1)"
check "bad line message" "error: line 2: not a chunk: expected 30 digits, a raw amount or an amount like 0.0102..." "$(printf '072141708033880511527732939236\nhello\n' | "$CLI" vm decode 2>&1)"
status "no chunks" 1 sh -c "printf '' | '$CLI' vm decode"
status "odd hex" 2 "$CLI" vm encode abc
status "non-hex" 2 "$CLI" vm encode zz
status "encode missing arg" 2 "$CLI" vm encode
status "decode bad option" 2 "$CLI" vm decode --bogus

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all CLI codec checks passed"
