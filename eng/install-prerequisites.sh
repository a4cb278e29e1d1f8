#!/usr/bin/env bash
# Installs the native prerequisite of TorchSharp 0.107.0: libstdc++ with GLIBCXX_3.4.32 (GCC 13+), and video's
# (ffmpeg, and GTK 3 and libatomic for OpenCV's native library; the block marked Video, asked like the rest).
#
#   bash eng/install-prerequisites.sh          # checks; on Debian 12 shows exactly what it would change, then asks
#   bash eng/install-prerequisites.sh --yes    # the same without asking (CI; .ci/run passes it)
#   bash eng/install-prerequisites.sh --check  # changes nothing: says what is missing and prints apt's simulation
#   bash eng/install-prerequisites.sh --check --dpkg-status FILE   # apt's simulation for the Debian 12 system whose
#                                              # package list (/var/lib/dpkg/status) FILE is, e.g. a minimal one:
#   python3 eng/minimal-bookworm-status.py > /tmp/status   # bookworm's Priority: required packages and dependencies
#
# Idempotent: does nothing when the running system already provides the symbol version.
# On Debian 12 (bookworm) it adds Debian 13 (trixie) as an apt source pinned at priority 100 and installs libstdc++6
# from there. Read this before agreeing: libstdc++6 from trixie needs trixie's libc6, so apt also upgrades libc6,
# libc-bin, libgcc-s1, base-files and whatever else on the system depends on their old versions (6 packages on a
# minimal bookworm, 28 on this project's development VM), after which /etc/os-release reports Debian 13. The script
# prints apt's own list (a simulation) and asks before it changes anything. Alternatives that change nothing on the
# host: a newer distribution (Ubuntu 24.04, Debian 13), or a container of one (docs/troubleshooting.md).
# Elsewhere it prints what to do.
# --check exits 0 when the symbol is there, 1 when it is missing (after the report), 2 for a bad argument.
# For tests: NEURALSTYLE_PREREQ_LIBSTDCXX names the libstdc++ to check instead of the loader's, and
# NEURALSTYLE_PREREQ_OS_RELEASE the os-release file instead of /etc/os-release.
set -euo pipefail

required=GLIBCXX_3.4.32
yes=false
check=false
dpkg_status=""
while [ $# -gt 0 ]; do
  case "$1" in
    -y|--yes) yes=true ;;
    --check) check=true ;;
    --dpkg-status)
      [ $# -ge 2 ] || { echo "prerequisites: --dpkg-status needs a file" >&2; exit 2; }
      dpkg_status=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "prerequisites: unknown argument '$1' (use --yes, --check, --dpkg-status FILE or --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$dpkg_status" ]; then
  [ "$check" = true ] || { echo "prerequisites: --dpkg-status only goes with --check" >&2; exit 2; }
  [ -f "$dpkg_status" ] || { echo "prerequisites: --dpkg-status '$dpkg_status' is not a file" >&2; exit 2; }
fi
os_release=${NEURALSTYLE_PREREQ_OS_RELEASE:-/etc/os-release}

find_libstdcxx() {
  if [ -n "${NEURALSTYLE_PREREQ_LIBSTDCXX:-}" ]; then echo "$NEURALSTYLE_PREREQ_LIBSTDCXX"; return; fi
  local candidates=(/usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6)
  local path
  path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 /{print $NF; exit}') || true
  if [ -n "${path:-}" ] && [ -e "$path" ]; then echo "$path"; return; fi
  for path in "${candidates[@]}"; do [ -e "$path" ] && { echo "$path"; return; }; done
}

has_required_symbol() {
  local lib
  lib=$(find_libstdcxx)
  [ -n "$lib" ] && [ -f "$lib" ] && grep -qa "$required" "$lib"
}

# Prints apt's simulation of the trixie libstdc++6 install (its Inst/Remv lines, one per package, and the count);
# extra arguments go to apt-get (a private source list, another dpkg status).
print_plan() {
  local plan
  plan=$(apt-get "$@" install -s -t trixie libstdc++6)
  grep -E '^(Inst|Remv) ' <<<"$plan" | sed -E 's/^Inst ([^ ]+) \[([^]]+)\] \(([^ ]+).*/  upgrade \1 \2 -> \3/; s/^Inst ([^ ]+) \(([^ ]+).*/  install \1 \2/; s/^Remv (.*)/  REMOVE \1/'
  echo "  $(grep -cE '^(Inst|Remv) ' <<<"$plan") package(s) in all."
}

# --check: apt's simulation without touching the system. apt's own lists are used when they already hold trixie;
# otherwise the system's sources plus trixie are read into a temporary folder (apt-get update there: network, no root).
check_simulation() {
  local status_opts=()
  [ -z "$dpkg_status" ] || status_opts=(-o "Dir::State::status=$dpkg_status" -o "Dir::State::extended_states=/dev/null")
  if apt-cache policy 2>/dev/null | grep -q 'n=trixie'; then
    echo "prerequisites: apt's simulation of 'apt-get install -t trixie libstdc++6' (nothing is installed):"
    print_plan "${status_opts[@]}"
    return
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  { cat /etc/apt/sources.list 2>/dev/null || true; echo "deb http://deb.debian.org/debian trixie main"; } >"$tmp/sources.list"
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$tmp/preferences"
  local private=(-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "Dir::Etc::SourceList=$tmp/sources.list"
    -o "Dir::Etc::Preferences=$tmp/preferences")
  echo "prerequisites: reading bookworm's and trixie's package lists into $tmp (nothing on the system changes)..."
  apt-get "${private[@]}" update -qq
  echo "prerequisites: apt's simulation of 'apt-get install -t trixie libstdc++6' (nothing is installed):"
  print_plan "${private[@]}" "${status_opts[@]}"
}

# Asks a yes/no question on the terminal; --yes answers yes; without a terminal and without --yes the answer is no.
confirm() {
  if [ "$yes" = true ]; then return 0; fi
  if [ ! -t 0 ]; then
    echo "prerequisites: no terminal to ask on; run again with --yes to agree to the changes above." >&2
    return 1
  fi
  local answer
  read -r -p "$1 [y/N] " answer
  [[ "$answer" =~ ^[Yy] ]]
}

# --- Video (src/NeuralStyle.Video) -------------------------------------------------------------------------------
# ffmpeg and ffprobe read and write videos; OpenCvSharp's native library (optical flow) links GTK 3 and libatomic.
# Installed with apt on Debian/Ubuntu when missing; elsewhere a note is printed. Independent of the libstdc++ part below.
video_packages=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || video_packages+=(ffmpeg)
ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0' || video_packages+=(libgtk-3-0)
ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1' || video_packages+=(libatomic1)
if [ -n "$dpkg_status" ]; then
  : # a simulation for another system: this one's video packages do not matter
elif [ ${#video_packages[@]} -gt 0 ] && [ "$check" = true ]; then
  echo "prerequisites: video needs ${video_packages[*]}; without --check they would be installed from this system's apt sources."
elif [ ${#video_packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    video_sudo=""; [ "$(id -u)" -ne 0 ] && video_sudo="sudo"
    echo "prerequisites: video needs ${video_packages[*]} (from this system's own apt sources)."
    if confirm "Install ${video_packages[*]}?"; then
      $video_sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $video_sudo apt-get install -y -qq --no-install-recommends "${video_packages[@]}" >/dev/null
    else
      echo "prerequisites: video packages not installed; everything but video works without them."
    fi
  else
    echo "prerequisites: video needs ${video_packages[*]} (ffmpeg with ffprobe, GTK 3, libatomic); install them with your package manager." >&2
  fi
fi
# --- end of video ------------------------------------------------------------------------------------------------

if [ -n "$dpkg_status" ]; then
  echo "prerequisites: simulating for the system whose package list is $dpkg_status (this system is not looked at)."
  check_simulation
  exit 0
fi

if has_required_symbol; then
  echo "prerequisites: $(find_libstdcxx) provides $required; nothing to do."
  exit 0
fi

. "$os_release" 2>/dev/null || true
if [ "$check" = true ]; then
  echo "prerequisites: $required is missing ($(find_libstdcxx || true))."
  if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
    echo "prerequisites: without --check, this script would add Debian 13 (trixie) as an apt source pinned at priority 100 and install libstdc++6 from it."
    check_simulation
  else
    echo "prerequisites: this is not Debian 12; without --check the script would only say what to do (${PRETTY_NAME:-unknown system})."
  fi
  exit 1
fi
if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "prerequisites: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
  fi
  list=/etc/apt/sources.list.d/neuralstyle-trixie.list
  pin=/etc/apt/preferences.d/neuralstyle-trixie.pref
  cat <<MSG
prerequisites: $required is missing (Debian 12 ships GCC 12's libstdc++). To get it, this script would:
  1. add Debian 13 (trixie) as an apt source ($list), pinned at priority 100 ($pin),
     so that nothing comes from trixie unless asked for, and run apt-get update;
  2. install libstdc++6 from trixie. That is NOT a single package: it needs trixie's libc6, so apt also upgrades
     libc6, libc-bin, libgcc-s1, base-files and what else depends on their old versions; afterwards /etc/os-release
     reports Debian 13.
     After step 1 you see apt's exact list and are asked again.
  Alternatives that leave this system as it is: Ubuntu 24.04 or Debian 13, or a container of one, e.g.
     docker run --rm -it -v "\$PWD:/src" -w /src mcr.microsoft.com/dotnet/sdk:10.0-noble bash
MSG
  confirm "Add the trixie apt source (step 1)?" || { echo "prerequisites: nothing changed."; exit 1; }
  added=()
  if [ ! -f "$list" ]; then
    echo "deb http://deb.debian.org/debian trixie main" | $sudo tee "$list" >/dev/null
    added+=("$list")
  fi
  if [ ! -f "$pin" ]; then
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $sudo tee "$pin" >/dev/null
    added+=("$pin")
  fi
  $sudo apt-get update -qq
  echo "prerequisites: apt's simulation of 'apt-get install -t trixie libstdc++6' (nothing is installed yet):"
  print_plan
  if ! confirm "Make these changes (step 2)?"; then
    [ ${#added[@]} -eq 0 ] || $sudo rm -f "${added[@]}"
    [ ${#added[@]} -eq 0 ] || $sudo apt-get update -qq
    echo "prerequisites: nothing installed; the trixie source was removed again."
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  if has_required_symbol; then
    echo "prerequisites: installed; $(find_libstdcxx) now provides $required."
    exit 0
  fi
  echo "prerequisites: libstdc++6 from trixie was installed but $required is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
prerequisites: TorchSharp 0.107.0 needs libstdc++ with $required (GCC 13 or newer), which this system lacks.
  Ubuntu 24.04+, Debian 13+ and Fedora 39+ ship it. On other systems install a newer libstdc++
  (for example from your distribution's backports or a GCC 13 toolchain) and make it visible to the loader,
  or work in a container of a newer distribution (docs/troubleshooting.md).
MSG
exit 1
