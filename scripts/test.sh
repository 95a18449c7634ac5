#!/usr/bin/env bash
# The test command: installs what the tests need, builds everything (warnings are errors) and runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The tests need the .NET SDK, python3, zstd and Node.js/npm (Azurite); golden files are committed. The fastText
# parity tests also run the reference CLI (Debian `fasttext`): they skip without it, except in CI (.ci/run installs it).
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 1; }

dotnet build Pipeline.sln -c Release --nologo -v quiet
log="$(mktemp)"
set +e
# Test projects run one after another (-m:1): the cluster tests start several node processes whose failure detector
# must not see a healthy node starved of CPU by another test project on this 2-core machine.
dotnet test Pipeline.sln -c Release --no-build --nologo -v quiet -m:1 --logger "console;verbosity=normal" > "$log" 2>&1
test_rc=$?
set -e
grep -vE '^\s+Passed ' "$log" || true
# One summary line over every test project (with the console logger, dotnet test prints Passed:/Failed:/Skipped: per assembly).
python3 - "$log" "$test_rc" <<'PY'
import re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"^\s+(Passed|Failed|Skipped): (\d+)\s*$", line)
    if m:
        n = int(m.group(2))
        if m.group(1) == "Passed": passed += n
        elif m.group(1) == "Failed": failed += n
        else: skipped += n
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 or sys.argv[2] != "0" else 0)
PY
