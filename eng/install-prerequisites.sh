#!/usr/bin/env bash
# Installs the native prerequisite of TorchSharp 0.107.0: libstdc++ with GLIBCXX_3.4.32 (GCC 13+), and video's
# (ffmpeg, and GTK 3 and libatomic for OpenCV's native library; the block marked Video, asked like the rest).
#
#   bash eng/install-prerequisites.sh          # checks; on Debian 12 shows exactly what it would change, then asks
#   bash eng/install-prerequisites.sh --yes    # the same without asking (CI; .ci/run passes it)
#
# Idempotent: does nothing when the running system already provides the symbol version.
# On Debian 12 (bookworm) it adds Debian 13 (trixie) as an apt source pinned at priority 100 and installs libstdc++6
# from there. Read this before agreeing: libstdc++6 from trixie needs trixie's libc6, so apt also upgrades libc6,
# libc-bin, locales, dpkg, base-files and their dependencies (about 27 packages on a minimal bookworm) to trixie's
# versions, after which /etc/os-release reports Debian 13. The script prints apt's own list (a simulation) and asks
# before it changes anything. Alternatives that change nothing on the host: a newer distribution (Ubuntu 24.04,
# Debian 13), or a container of one (docs/troubleshooting.md).
# Elsewhere it prints what to do.
set -euo pipefail

required=GLIBCXX_3.4.32
yes=false
for arg in "$@"; do
  case "$arg" in
    -y|--yes) yes=true ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "prerequisites: unknown argument '$arg' (use --yes or --help)" >&2; exit 2 ;;
  esac
done


find_libstdcxx() {
  local candidates=(/usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6)
  local path
  path=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 /{print $NF; exit}') || true
  if [ -n "${path:-}" ] && [ -e "$path" ]; then echo "$path"; return; fi
  for path in "${candidates[@]}"; do [ -e "$path" ] && { echo "$path"; return; }; done
}

has_required_symbol() {
  local lib
  lib=$(find_libstdcxx)
  [ -n "$lib" ] && grep -qa "$required" "$lib"
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
if [ ${#video_packages[@]} -gt 0 ]; then
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

if has_required_symbol; then
  echo "prerequisites: $(find_libstdcxx) provides $required; nothing to do."
  exit 0
fi

. /etc/os-release 2>/dev/null || true
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
     libc6, libc-bin, locales, dpkg, base-files and their dependencies; afterwards /etc/os-release reports Debian 13.
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
  plan=$($sudo apt-get install -s -t trixie libstdc++6)
  grep -E '^(Inst|Remv) ' <<<"$plan" | sed -E 's/^Inst ([^ ]+) \[([^]]+)\] \(([^ ]+).*/  upgrade \1 \2 -> \3/; s/^Inst ([^ ]+) \(([^ ]+).*/  install \1 \2/; s/^Remv (.*)/  REMOVE \1/'
  echo "  $(grep -cE '^(Inst|Remv) ' <<<"$plan") package(s) in all."
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
