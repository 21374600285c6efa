#!/usr/bin/env bash
# Instructions per decision of the `decide` bench's scenarios (a) and (b), iamd's `evaluate`
# and Cedar's, counted by callgrind (the same whatever the machine's load). Needs valgrind;
# builds the bench first, with the Cedar comparison (`--features cedar-bench`).
#   crates/iamd-policy/benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=$(cargo bench -p iamd-policy --features cedar-bench --bench decide --no-run \
    --message-format=json 2>/dev/null | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
out=$(mktemp -d)
for scenario in seed002_admin:60 ten_policies:24; do
    name=${scenario%:*} requests=${scenario#*:}
    for engine in evaluate:decide::decide_all cedar:decide::cedar::decide_all; do
        bench=${engine%%:*} fn=${engine#*:}
        valgrind --tool=callgrind --callgrind-out-file="$out/$name.$bench" \
            --toggle-collect='*decide_all*' \
            "$bin" --bench --profile-time 2 "^$name/$bench\$" >/dev/null 2>&1
        # Instructions counted inside the function / (its calls × requests per call).
        awk -v label="$name/$bench" -v fn="$fn" -v requests="$requests" '
            /^c?fn=\([0-9]+\) / && $2 == fn { match($0, /\([0-9]+\)/); id = substr($0, RSTART, RLENGTH) }
            /^cfn=/ { callee = $0 }
            /^calls=/ && id != "" && index(callee, id) { split($1, c, "="); calls += c[2] }
            /^summary:/ { total = $2 }
            END { printf "%s: %.0f instructions per decision\n", label, total / calls / requests }
        ' "$out/$name.$bench"
    done
done
rm -r "$out"
