#!/usr/bin/env bash
# Installs the native prerequisite of TorchSharp 0.107.0: libstdc++ with GLIBCXX_3.4.32 (GCC 13+), and video's
# (ffmpeg, and GTK 3 and libatomic for OpenCV's native library; the block marked Video).
# Idempotent: does nothing when the running system already provides the symbol version.
# On Debian 12 (bookworm) it adds Debian 13 (trixie) as an apt source pinned at priority 100, so that
# only packages asked for explicitly come from it, and installs libstdc++6 from there.
# Elsewhere it prints what to do.
set -euo pipefail

required=GLIBCXX_3.4.32

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
    echo "prerequisites: installing ${video_packages[*]} for video."
    $video_sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $video_sudo apt-get install -y -qq --no-install-recommends "${video_packages[@]}" >/dev/null
  else
    echo "prerequisites: video needs ${video_packages[*]} (ffmpeg with ffprobe, GTK 3, libatomic); install them with your package manager." >&2
  fi
fi
# --- end of video ------------------------------------------------------------------------------------------------

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
  echo "prerequisites: $required missing; installing libstdc++6 from Debian 13 (trixie), pinned at priority 100."
  list=/etc/apt/sources.list.d/neuralstyle-trixie.list
  pin=/etc/apt/preferences.d/neuralstyle-trixie.pref
  if [ ! -f "$list" ]; then
    echo "deb http://deb.debian.org/debian trixie main" | $sudo tee "$list" >/dev/null
  fi
  if [ ! -f "$pin" ]; then
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $sudo tee "$pin" >/dev/null
  fi
  $sudo apt-get update -qq
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
  (for example from your distribution's backports or a GCC 13 toolchain) and make it visible to the loader.
MSG
exit 1
