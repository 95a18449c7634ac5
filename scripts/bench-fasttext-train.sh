#!/usr/bin/env bash
# Side-by-side training benchmark: our managed fastText (src/Pipeline.FastText/Training) vs the reference CLI
# (fastText 0.9.2, `fasttext` on PATH). Same file, same hyperparameters, -thread 1 by default; 3 runs each.
# Prints words/sec/thread (from each tool's final progress line) and P@1 (both models scored by the reference
# `fasttext test`), the medians, and the ratio ours/reference.
#
# usage: scripts/bench-fasttext-train.sh TRAIN.txt TEST.txt [extra fastText flags...]
#   default flags: PreSelect's -epoch 3 -lr 0.1 -wordNgrams 2 -dim 100 -minCount 1 -bucket 2000000 -thread 1
#   env: RUNS (default 3), ARTIFACTS (default /tmp/art-bench-fttrain)
set -euo pipefail
train=${1:?usage: $0 TRAIN.txt TEST.txt [flags...]}
test=${2:?usage: $0 TRAIN.txt TEST.txt [flags...]}
shift 2
flags=("$@")
if [ ${#flags[@]} -eq 0 ]; then
  flags=(-epoch 3 -lr 0.1 -wordNgrams 2 -dim 100 -minCount 1 -bucket 2000000 -thread 1)
fi
runs=${RUNS:-3}
artifacts=${ARTIFACTS:-/tmp/art-bench-fttrain}
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v fasttext >/dev/null || { echo "the reference fastText CLI is not installed (apt-get install -y fasttext)" >&2; exit 1; }

work=$(mktemp -d /tmp/bench-fasttext-train.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/harness"
cat > "$work/harness/harness.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <GenerateDocumentationFile>false</GenerateDocumentationFile>
    <AnalysisLevel>none</AnalysisLevel>
    <EnforceCodeStyleInBuild>false</EnforceCodeStyleInBuild>
    <TieredPGO>true</TieredPGO>
  </PropertyGroup>
  <ItemGroup><ProjectReference Include="$repo/src/Pipeline.FastText/Pipeline.FastText.csproj" /></ItemGroup>
</Project>
XML
cat > "$work/harness/Program.cs" <<'CS'
return Pipeline.FastText.Training.TrainingCommands.Run(args[0], args.Skip(1).ToList(), Console.Out, Console.Error);
CS
echo "building the harness (Release)..." >&2
dotnet build "$work/harness/harness.csproj" -c Release --artifacts-path "$artifacts" -v q -nologo >&2
ours_bin="$artifacts/bin/harness/release/harness"

wps() { tr '\r' '\n' < "$1" | grep 'Progress: 100.0%' | tail -1 | sed -E 's/.*words\/sec\/thread: +([0-9]+).*/\1/'; }
p1() { fasttext test "$1" "$test" | awk -F'\t' '/^P@1/ {print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: > "$work/ref.tsv"; : > "$work/ours.tsv"
for i in $(seq 1 "$runs"); do
  fasttext supervised -input "$train" -output "$work/ref" "${flags[@]}" -seed "$i" 2> "$work/ref.log" >/dev/null
  printf '%s\t%s\n' "$(wps "$work/ref.log")" "$(p1 "$work/ref.bin")" >> "$work/ref.tsv"
  "$ours_bin" supervised -input "$train" -output "$work/ours" "${flags[@]}" -seed "$i" 2> "$work/ours.log" >/dev/null
  printf '%s\t%s\n' "$(wps "$work/ours.log")" "$(p1 "$work/ours.bin")" >> "$work/ours.tsv"
  echo "run $i: reference $(tail -1 "$work/ref.tsv" | tr '\t' ' ')  ours $(tail -1 "$work/ours.tsv" | tr '\t' ' ')  (words/s/thread P@1)" >&2
done
ref_wps=$(cut -f1 "$work/ref.tsv" | median); ours_wps=$(cut -f1 "$work/ours.tsv" | median)
ref_p1=$(cut -f2 "$work/ref.tsv" | median); ours_p1=$(cut -f2 "$work/ours.tsv" | median)
echo "flags: ${flags[*]}"
printf 'reference  words/sec/thread %10s  P@1 %s\n' "$ref_wps" "$ref_p1"
printf 'ours       words/sec/thread %10s  P@1 %s\n' "$ours_wps" "$ours_p1"
awk -v o="$ours_wps" -v r="$ref_wps" 'BEGIN {printf "ratio ours/reference: %.2fx\n", o / r}'
