#!/usr/bin/env bash
# Instructions per decision of the `decide` bench's evaluate scenarios, counted by callgrind
# (the same whatever the machine's load). Needs valgrind; builds the bench first.
#   crates/iamd-policy/benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=$(cargo bench -p iamd-policy --bench decide --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
out=$(mktemp -d)
for scenario in seed002_admin:60 ten_policies:24; do
    name=${scenario%:*} requests=${scenario#*:}
    valgrind --tool=callgrind --callgrind-out-file="$out/$name" --toggle-collect='*decide_all*' \
        "$bin" --bench --profile-time 2 "^$name/evaluate\$" >/dev/null 2>&1
    # Instructions counted inside decide_all / (its calls × requests per call).
    awk -v name="$name" -v requests="$requests" '
        /^c?fn=\([0-9]+\) decide::decide_all$/ { match($0, /\([0-9]+\)/); id = substr($0, RSTART, RLENGTH) }
        /^cfn=/ { callee = $0 }
        /^calls=/ && id != "" && index(callee, id) { split($1, c, "="); calls += c[2] }
        /^summary:/ { total = $2 }
        END { printf "%s/evaluate: %.0f instructions per decision\n", name, total / calls / requests }
    ' "$out/$name"
done
rm -r "$out"
