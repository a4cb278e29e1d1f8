#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every project that tracks its public API (eng/PublicApi.props), from the
# analyzer's own diagnostics: after adding, changing or removing public API, run
#
#   bash eng/update-public-api.sh              # every tracked project under src/
#   bash eng/update-public-api.sh src/NeuralStyle/NeuralStyle.csproj
#
# and review the diff. How: PublicAPI.Unshipped.txt is reset to its header and the project is rebuilt (every target
# framework) with RS0016/RS0017 as warnings; each "RS0016: Symbol '<line>' is not part of the declared public API" is
# an API line to declare, each "RS0017: Symbol '<line>' is part of the declared API, but ... could not be found" is a
# shipped line that is gone (written as *REMOVED*<line>). Lines every target framework reports go to
# PublicAPI.Unshipped.txt; lines only some report go to PublicAPI/<tfm>/PublicAPI.Unshipped.txt. A normal build then
# checks the result. On a compiler error the files are restored and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration=${CONFIGURATION:-Release}
header='#nullable enable'

if [ $# -gt 0 ]; then
  projects=("$@")
else
  mapfile -t projects < <(find src -name PublicAPI.Unshipped.txt -not -path '*/PublicAPI/*' -not -path '*/bin/*' -not -path '*/obj/*' \
    -exec dirname {} \; | sort | while read -r dir; do ls "$dir"/*.csproj; done)
fi
[ ${#projects[@]} -gt 0 ] || { echo "update-public-api: no project with a PublicAPI.Unshipped.txt" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

update_project() {
  local project=$1 dir backup log
  dir=$(dirname "$project")
  backup="$work/backup"
  log="$work/build.log"
  echo "update-public-api: $project"

  # Keep the shipped files; start every unshipped file from its header.
  (cd "$dir" && find . -name 'PublicAPI.Unshipped.txt' -not -path './bin/*' -not -path './obj/*' -print0 | tar -cf "$backup.tar" --null -T -)
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '%s\n' "$header" >"$dir/PublicAPI.Shipped.txt"
  find "$dir/PublicAPI" -name 'PublicAPI.Unshipped.txt' -delete 2>/dev/null || true
  printf '%s\n' "$header" >"$dir/PublicAPI.Unshipped.txt"

  set +e
  dotnet build "$project" -c "$configuration" --no-incremental -v:minimal -clp:NoSummary \
    -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1
  set -e
  if grep -E ': error [A-Z]+[0-9]+:' "$log" | grep -vE ': error (RS0016|RS0017):' >/dev/null; then
    grep -E ': error ' "$log" | sort -u >&2
    echo "update-public-api: $project does not compile; PublicAPI files left as they were" >&2
    find "$dir/PublicAPI" -name 'PublicAPI.Unshipped.txt' -delete 2>/dev/null || true
    tar -C "$dir" -xf "$backup.tar"
    return 1
  fi

  # One line per diagnostic: "<tfm or *>\t<RS0016|RS0017>\t<api line>". MSBuild prints each diagnostic twice at most.
  sed -nE \
    -e "s/^.*: (warning|error) (RS0016): Symbol '(.*)' is not part of the declared public API.*\[[^]]*\]\$/\2\t\3\t&/p" \
    -e "s/^.*: (warning|error) (RS0017): Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*\[[^]]*\]\$/\2\t\3\t&/p" \
    "$log" | awk -F'\t' '{
        tfm = "*"
        if (match($3, /::TargetFramework=[^]]+\]$/)) tfm = substr($3, RSTART + 18, RLENGTH - 19)
        line = ($1 == "RS0017") ? "*REMOVED*" $2 : $2
        print tfm "\t" line
      }' | LC_ALL=C sort -u >"$work/entries"

  # The target frameworks the project builds for (a single-targeting project's diagnostics name none).
  local tfms count
  tfms=$(dotnet msbuild "$project" -getProperty:TargetFrameworks | tr ';' '\n' | sed '/^\s*$/d')
  count=$(printf '%s\n' "$tfms" | grep -c . || true)
  if [ "$count" -le 1 ]; then
    { printf '%s\n' "$header"; cut -f2 "$work/entries" | LC_ALL=C sort -u; } >"$dir/PublicAPI.Unshipped.txt"
  else
    # Lines every target framework reports are common; the others belong to their own framework's file.
    cut -f2 "$work/entries" | LC_ALL=C sort | uniq -c | awk -v n="$count" '$1 == n { sub(/^ *[0-9]+ /, ""); print }' >"$work/common"
    { printf '%s\n' "$header"; cat "$work/common"; } >"$dir/PublicAPI.Unshipped.txt"
    local tfm
    for tfm in $tfms; do
      awk -F'\t' -v t="$tfm" '$1 == t { print $2 }' "$work/entries" | LC_ALL=C comm -23 - "$work/common" >"$work/only"
      if [ -s "$work/only" ]; then
        mkdir -p "$dir/PublicAPI/$tfm"
        [ -f "$dir/PublicAPI/$tfm/PublicAPI.Shipped.txt" ] || printf '%s\n' "$header" >"$dir/PublicAPI/$tfm/PublicAPI.Shipped.txt"
        { printf '%s\n' "$header"; cat "$work/only"; } >"$dir/PublicAPI/$tfm/PublicAPI.Unshipped.txt"
      fi
    done
  fi
  # A framework folder left with nothing but an empty shipped file goes.
  local folder
  for folder in "$dir"/PublicAPI/*/; do
    [ -d "$folder" ] || continue
    if [ ! -f "$folder/PublicAPI.Unshipped.txt" ] && [ "$(grep -cv "^$header\$" "$folder/PublicAPI.Shipped.txt" 2>/dev/null)" = 0 ]; then
      rm -f "$folder/PublicAPI.Shipped.txt" && rmdir "$folder"
    fi
  done
  rmdir "$dir/PublicAPI" 2>/dev/null || true
  echo "update-public-api: $(($(wc -l <"$dir/PublicAPI.Unshipped.txt") - 1)) lines in $dir/PublicAPI.Unshipped.txt"

  # The check: a normal build (RS0016/RS0017 are errors) must now pass.
  if ! dotnet build "$project" -c "$configuration" -v:quiet -clp:NoSummary >"$log" 2>&1; then
    grep -E ': (error|warning) ' "$log" | sort -u >&2 || cat "$log" >&2
    echo "update-public-api: $project still fails to build after the update" >&2
    return 1
  fi
}

status=0
for project in "${projects[@]}"; do
  update_project "$project" || status=1
done
if [ "$status" -eq 0 ] && git rev-parse --git-dir >/dev/null 2>&1; then
  git status --short -- $(for p in "${projects[@]}"; do dirname "$p"; done) | grep -F PublicAPI || echo "update-public-api: no change"
fi
exit "$status"
