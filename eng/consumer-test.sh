#!/usr/bin/env bash
# End-to-end test of what a .NET user installs: our packages from a local folder feed, used from outside the repository.
#
#   bash eng/consumer-test.sh                 # pack, then both scenarios below
#   bash eng/consumer-test.sh pack            # only pack into the feed
#   bash eng/consumer-test.sh library         # a fresh console app: NeuralStyle + libtorch-cpu-linux-x64 + SkiaSharp's
#                                             # Linux assets, StyleTransfer.RunAsync on two generated images
#   bash eng/consumer-test.sh tool            # dotnet tool install NeuralStyle.Cli (the pointer package, which fetches
#                                             # NeuralStyle.Cli.linux-x64); neural-style --help and a real run
#   bash eng/consumer-test.sh readme          # README.md's "Use it from your app" exactly as written: its bash block run
#                                             # in a fresh folder, its C# block as Program.cs, dotnet run (own stable pack)
#   bash eng/consumer-test.sh natives         # an app that forgot libtorch and took the newest SkiaSharp native package:
#                                             # both are reported at first use with the package and version to add
#
# Options: --feed DIR (default artifacts/feed; "pack" deletes the packages in it first), --keep (keep the temporary
# folders).
# The runs need the SqueezeNet weights: NEURALSTYLE_WEIGHTS, else ../shared/weights/squeezenet1_1-features.safetensors.
#
# Packing: the packable projects are built (Release) and packed with a unique pre-release version
# (VERSION-consumer.<time>), so no NuGet cache anywhere can hand back an older build of the same version. The consumer
# projects live in a temporary folder outside the repository (with empty Directory.Build.* files, bar one disk setting, and a
# nuget.config of their own, so nothing else of ours applies to them) and restore into their own package folder; packages already in this
# machine's NuGet cache (libtorch is hundreds of MB) are taken from it as a fallback folder instead of downloaded again.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

feed="$repo/artifacts/feed"
keep=false
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --feed) feed=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --keep) keep=true; shift ;;
    pack|library|tool|readme|natives) scenarios+=("$1"); shift ;;
    *) echo "consumer-test: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(pack library tool)

# Versions a consumer adds next to our package: the native runtimes, as in Directory.Packages.props.
package_version() { sed -nE "s/.*<PackageVersion Include=\"$1\" Version=\"([^\"]+)\".*/\1/p" "$repo/Directory.Packages.props"; }
libtorch_version=$(package_version libtorch-cpu-linux-x64)
skia_version=$(package_version SkiaSharp.NativeAssets.Linux.NoDependencies)

# This machine's NuGet cache, a read-only fallback for the consumer projects; they restore into a folder of their own
# (their nuget.config's globalPackagesFolder, which NUGET_PACKAGES would override).
machine_cache=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: //')
unset NUGET_PACKAGES

log() { echo "consumer-test: $*"; }
fail() { echo "consumer-test: FAILED: $*" >&2; exit 1; }
# Runs a command with its output kept out of the way unless it fails.
quietly() {
  local out
  out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then cat "$out" >&2; rm -f "$out"; return 1; fi
  rm -f "$out"
}

weights() {
  local w=${NEURALSTYLE_WEIGHTS:-}
  [ -n "$w" ] || w="$repo/../shared/weights/squeezenet1_1-features.safetensors"
  [ -f "$w" ] || fail "no SqueezeNet weights: set NEURALSTYLE_WEIGHTS (see docs/weights.md)"
  (cd "$(dirname "$w")" && echo "$(pwd)/$(basename "$w")")
}

pack() {
  local suffix="consumer.$(date -u +%Y%m%d%H%M%S)"
  mkdir -p "$feed" && rm -f "$feed"/*.nupkg "$feed"/*.snupkg
  log "packing into $feed (version suffix $suffix)"
  local project
  for project in src/NeuralStyle.Weights/NeuralStyle.Weights.csproj src/NeuralStyle/NeuralStyle.csproj; do
    quietly dotnet build "$repo/$project" -c Release || fail "pack: $project does not build"
    quietly dotnet pack "$repo/$project" -c Release --no-build -o "$feed" -p:VersionSuffix="$suffix" || fail "pack: $project"
  done
  # The tool is RID-specific: its pack builds and publishes it once per RuntimeIdentifier (NeuralStyle.Cli.linux-x64)
  # and adds the pointer package NeuralStyle.Cli, so it is not packed --no-build.
  quietly dotnet pack "$repo/src/NeuralStyle.Cli/NeuralStyle.Cli.csproj" -c Release -o "$feed" -p:VersionSuffix="$suffix" \
    || fail "pack: src/NeuralStyle.Cli/NeuralStyle.Cli.csproj"
  # Publishing copies (it does not link) libtorch and the rest: about 0.6 GB that the package now holds. Give it back.
  rm -rf "$repo"/src/NeuralStyle.Cli/bin/Release/net10.0/*/publish
  ls -l "$feed" | tail -n +2
  local nupkg
  nupkg=$(ls "$feed"/NeuralStyle.[0-9]*.nupkg)
  if command -v unzip >/dev/null; then   # for the log; tests/NeuralStyle.PackageTests checks both
    log "$(basename "$nupkg") dependencies:"
    unzip -p "$nupkg" NeuralStyle.nuspec | grep -E '<(group|dependency) ' | sed 's/^ */  /'
    log "$(basename "$nupkg") files:"
    unzip -Z1 "$nupkg" | sed 's/^/  /'
  fi
}

# The version in the feed (the newest pack).
feed_version() {
  local nupkg
  nupkg=$(ls -t "$feed"/NeuralStyle.[0-9]*.nupkg 2>/dev/null | head -n1)
  [ -n "$nupkg" ] || fail "no NeuralStyle package in $feed: run 'bash eng/consumer-test.sh pack' first"
  basename "$nupkg" .nupkg | sed 's/^NeuralStyle\.//'
}

# A feed of its own with the library packed under a unique *stable* version, for commands that name no version (as the
# README's "dotnet add package NeuralStyle" does, which takes the newest stable one). Unique, so that no NuGet cache
# can hand back an older build. Prints the feed's folder.
stable_feed() {
  local dir="$1/feed" version
  version="0.1.$(date -u +%s)"
  mkdir -p "$dir"
  # NeuralStyle depends on NeuralStyle.Weights at the same version: both go into the feed.
  local project
  for project in NeuralStyle.Weights NeuralStyle; do
    quietly dotnet pack "$repo/src/$project/$project.csproj" -c Release -o "$dir" -p:PackageVersion="$version" || fail "pack: $project $version"
  done
  echo "$dir"
}

# Prints the lines of the first fenced block of language $2 in section "## $1" of README.md, exactly as written.
readme_block() {
  awk -v section="## $1" -v lang="$2" '
    $0 == section { inside = 1; next }
    inside && /^## / { exit }
    inside && !open && $0 == "```" lang { open = 1; next }
    open && $0 == "```" { exit }
    open { print }
  ' "$repo/README.md"
}

# A folder outside the repository that none of the repository's build or NuGet settings reach. Its nuget.config:
# our packages from the feed only, everything else from nuget.org (or this machine's cache); "tool" gives it no source
# at all, as the tool package has no dependencies and the install names the feed with --add-source.
new_sandbox() {
  local dir sources
  dir=$(mktemp -d "${TMPDIR:-/tmp}/neuralstyle-consumer.XXXXXX")
  for f in Directory.Build.targets Directory.Packages.props; do echo '<Project />' >"$dir/$f"; done
  # One setting of ours does reach them, for disk only: package files are linked into bin, not copied (each app would
  # otherwise hold its own 1.1 GB of libtorch and SkiaSharp files). What the app builds and loads is unchanged.
  echo '<Project><PropertyGroup><CreateSymbolicLinksForCopyLocalIfPossible>true</CreateSymbolicLinksForCopyLocalIfPossible></PropertyGroup></Project>' >"$dir/Directory.Build.props"
  if [ "${1:-}" = tool ]; then
    sources='  <packageSources>
    <clear />
  </packageSources>'
  else
    sources="  <packageSources>
    <clear />
    <add key=\"local-feed\" value=\"$feed\" />
    <add key=\"nuget.org\" value=\"https://api.nuget.org/v3/index.json\" protocolVersion=\"3\" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key=\"local-feed\">
      <package pattern=\"NeuralStyle\" />
      <package pattern=\"NeuralStyle.*\" />
    </packageSource>
    <packageSource key=\"nuget.org\">
      <package pattern=\"*\" />
    </packageSource>
  </packageSourceMapping>"
  fi
  cat >"$dir/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$dir/packages" />
  </config>
  <fallbackPackageFolders>
    <clear />
    <add key="machine-cache" value="$machine_cache" />
  </fallbackPackageFolders>
$sources
</configuration>
EOF
  echo "$dir"
}

cleanup_dirs=()
cleanup() { if [ "$keep" != true ] && [ ${#cleanup_dirs[@]} -gt 0 ]; then rm -rf "${cleanup_dirs[@]}"; fi; }
trap cleanup EXIT

library() {
  local version sandbox app w start
  start=$(date +%s)
  version=$(feed_version)
  w=$(weights)
  sandbox=$(new_sandbox)
  cleanup_dirs+=("$sandbox")
  app="$sandbox/app"
  log "library: console app in $app using NeuralStyle $version"
  (
    cd "$sandbox"
    dotnet new console -o app --framework net10.0 >/dev/null
    cd app
    quietly dotnet add package NeuralStyle --version "$version" --source "$feed"
    quietly dotnet add package libtorch-cpu-linux-x64 --version "$libtorch_version"
    quietly dotnet add package SkiaSharp.NativeAssets.Linux.NoDependencies --version "$skia_version"
    cat >Program.cs <<'EOF'
// A consumer of the NeuralStyle package: two generated images, a few iterations on the CPU, the result checked.
using NeuralStyle;
using NeuralStyle.Imaging;
using NeuralStyle.Weights;
using SkiaSharp;

var output = args.Length > 0 ? args[0] : "stylised.png";
var weights = Environment.GetEnvironmentVariable("NEURALSTYLE_WEIGHTS") ?? throw new InvalidOperationException("NEURALSTYLE_WEIGHTS is not set.");
// NeuralStyle.Weights comes with NeuralStyle (a transitive dependency): its reader is usable directly.
var tensors = WeightFileReader.Read(weights);
if (tensors.Count == 0)
{
    Console.Error.WriteLine("NeuralStyle.Weights read no tensors");
    return 1;
}

using var content = Draw(64, 48, (x, y) => new SKColor((byte)(x * 4), (byte)(y * 5), 128));
using var style = Draw(40, 40, (x, y) => ((x / 5) + (y / 5)) % 2 == 0 ? new SKColor(230, 180, 40) : new SKColor(30, 60, 160));

var preset = StyleTransferPresets.TheScream;
var options = preset with
{
    ImageSize = 48,
    StyleSize = 40,
    Iterations = 4,
    Optimizer = preset.Optimizer with { ProgressInterval = 1 },
    Runtime = new RuntimeOptions { Device = "cpu" },
    Weights = new WeightsOptions { Path = weights, AllowDownload = false },
};
var reports = 0;
using var result = await StyleTransfer.RunAsync(content, style, options, new Progress<StyleTransferProgress>(_ => Interlocked.Increment(ref reports)));
ImageFile.Save(result.Image, output);

using var saved = ImageFile.Load(output);
if (saved.Width != 64 || saved.Height != 48 || result.Iterations != 4 || !double.IsFinite(result.FinalLosses.Total))
{
    Console.Error.WriteLine($"unexpected result: {saved.Width}x{saved.Height}, {result.Iterations} iterations, loss {result.FinalLosses.Total}");
    return 1;
}

Console.WriteLine($"consumer app: wrote {output} ({saved.Width}x{saved.Height}), {result.Iterations} iterations on {result.Device}, total loss {result.FinalLosses.Total:G4}");
return 0;

static SKBitmap Draw(int width, int height, Func<int, int, SKColor> colour)
{
    var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
    for (var y = 0; y < height; y++)
    {
        for (var x = 0; x < width; x++)
        {
            bitmap.SetPixel(x, y, colour(x, y));
        }
    }

    return bitmap;
}
EOF
    quietly dotnet build -c Release
    NEURALSTYLE_WEIGHTS="$w" dotnet run -c Release --no-build -- "$sandbox/stylised.png"
  ) || fail "library: the consumer app failed"
  grep -q "\"NeuralStyle/$version\"" "$app/obj/project.assets.json" || fail "library: NeuralStyle $version was not what the app restored"
  grep -q "\"NeuralStyle.Weights/$version\"" "$app/obj/project.assets.json" || fail "library: NeuralStyle.Weights $version did not come with NeuralStyle"
  ! grep -q "NeuralStyle.Weights" "$app/app.csproj" || fail "library: the app referenced NeuralStyle.Weights itself"
  [ -s "$sandbox/stylised.png" ] && [ "$(head -c 8 "$sandbox/stylised.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
    || fail "library: no PNG written"
  log "library: passed in $(($(date +%s) - start)) s"
}

tool() {
  local version sandbox tools w start out
  start=$(date +%s)
  version=$(feed_version)
  w=$(weights)
  sandbox=$(new_sandbox tool)
  cleanup_dirs+=("$sandbox")
  tools="$sandbox/tools"
  log "tool: installing NeuralStyle.Cli $version into $tools"
  (cd "$sandbox" && dotnet tool install NeuralStyle.Cli --version "$version" --tool-path "$tools" --add-source "$feed") \
    || fail "tool: install failed"
  [ -d "$tools/.store/neuralstyle.cli/$version/neuralstyle.cli.linux-x64" ] || fail "tool: the linux-x64 package was not what was installed"
  log "tool: installed size $(du -sb "$tools" | cut -f1) bytes ($(du -sb "$tools"/.store/neuralstyle.cli/"$version"/neuralstyle.cli.linux-x64/"$version"/tools | cut -f1) bytes of tool files)"
  out=$("$tools/neural-style" --help) || fail "tool: neural-style --help failed"
  grep -q -- "--preset" <<<"$out" || fail "tool: --help does not list --preset"
  "$tools/neural-style" "$repo/samples/images/content-village.png" "$repo/samples/images/style-mosaic.png" \
    -o "$sandbox/village.png" --preset the-scream --size 48 --style-size 48 -i 4 --progress-every 2 \
    --weights "$w" --no-download --device cpu || fail "tool: neural-style run failed"
  [ -s "$sandbox/village.png" ] || fail "tool: no output image"
  log "tool: passed in $(($(date +%s) - start)) s"
}

readme() {
  local sandbox w start commands program app stable
  start=$(date +%s)
  w=$(weights)
  commands=$(readme_block "Use it from your app" bash)
  program=$(readme_block "Use it from your app" csharp)
  [ -n "$commands" ] && [ -n "$program" ] || fail "readme: no bash or csharp block under '## Use it from your app' in README.md"
  stable=$(mktemp -d "${TMPDIR:-/tmp}/neuralstyle-stable-feed.XXXXXX")
  cleanup_dirs+=("$stable")
  stable=$(stable_feed "$stable")
  sandbox=$(feed="$stable" new_sandbox)
  cleanup_dirs+=("$sandbox")
  log "readme: running README.md's commands in $sandbox:"
  sed 's/^/  | /' <<<"$commands"
  (
    cd "$sandbox"
    set -e
    eval "$commands"
    app=$(pwd)
    printf '%s\n' "$program" >Program.cs
    # The user's own pictures: the repository's samples under the README's names (Skia reads the format from the bytes).
    cp "$repo/samples/images/content-village.png" photo.jpg
    cp "$repo/samples/images/style-mosaic.png" painting.jpg
    NEURALSTYLE_WEIGHTS="$w" dotnet run
    [ "$(head -c 8 stylised.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "no PNG at $app/stylised.png" >&2; exit 1; }
  ) || fail "readme: README.md's 'Use it from your app', run as written, failed"
  log "readme: passed in $(($(date +%s) - start)) s"
}

natives() {
  local sandbox start out stable
  start=$(date +%s)
  stable=$(mktemp -d "${TMPDIR:-/tmp}/neuralstyle-stable-feed.XXXXXX")
  cleanup_dirs+=("$stable")
  stable=$(stable_feed "$stable")
  sandbox=$(feed="$stable" new_sandbox)
  cleanup_dirs+=("$sandbox")
  log "natives: an app with NeuralStyle, no libtorch package and the newest SkiaSharp native package"
  out=$(
    cd "$sandbox"
    dotnet new console -o app --framework net10.0 >/dev/null
    cd app
    quietly dotnet add package NeuralStyle
    quietly dotnet add package SkiaSharp.NativeAssets.Linux.NoDependencies
    cat >Program.cs <<'EOF2'
using NeuralStyle;
using NeuralStyle.Imaging;

try { using var bitmap = ImageFile.Load(args[0]); Console.WriteLine("skia: loaded"); }
catch (NeuralStyleException ex) { Console.WriteLine("skia: " + ex.Message); }
try { Console.WriteLine("torch: " + DeviceSelector.Resolve("cpu")); }
catch (NeuralStyleException ex) { Console.WriteLine("torch: " + ex.Message); }
EOF2
    quietly dotnet build -c Release
    dotnet run -c Release --no-build -- "$repo/samples/images/content-village.png" 2>&1
  ) || fail "natives: the app did not run: $out"
  echo "$out" | sed 's/^/  | /'
  grep -q "^skia: .*dotnet add package SkiaSharp.NativeAssets.Linux.NoDependencies --version $skia_version" <<<"$out" \
    || fail "natives: a mismatched libSkiaSharp was not reported with the package and version to add"
  grep -q "^torch: .*dotnet add package libtorch-cpu-linux-x64 --version $libtorch_version" <<<"$out" \
    || fail "natives: a missing libtorch was not reported with the package to add"
  log "natives: passed in $(($(date +%s) - start)) s"
}

for scenario in "${scenarios[@]}"; do
  "$scenario"
done
log "done: ${scenarios[*]}"
