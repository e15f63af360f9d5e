#!/usr/bin/env bash
# Installs the Debian 12 packages focusmeter needs to build, test and demo,
# only those missing. Uses sudo when not root. Safe to run again.
set -euo pipefail

packages=(
  # build
  g++ meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-highgui-dev
  nlohmann-json3-dev libsoup-3.0-dev libxml2-dev
  libsqlite3-dev libmosquitto-dev
  # tests
  libgtest-dev libgstrtspserver-1.0-dev valgrind
  mosquitto
  # promtool, which lints the Prometheus outputs and tests the rules of
  # contrib/prometheus; Debian ships it only inside the server package
  # (whose own service is enabled on install on a systemd machine; focusmeter
  # never uses it: `systemctl disable --now prometheus` if unwanted)
  prometheus
  # a real third-party RTSP server for the scan tests (run as nobody when root)
  vlc-bin vlc-plugin-base
  # report JSON validated against schemas/ in tests; the man page (help2man)
  python3-jsonschema help2man
  # run time: tools, decoders, RTSP, encoders for test clips and demo cameras
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  # source photos for `focusmeter train dataset` (not needed to build); the
  # last two only for `--recipe camera` and `make eval` (issue 13)
  python3-skimage opencv-doc mate-backgrounds lomiri-wallpapers-16.04 python3-sklearn
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "focusmeter: installing missing Debian packages: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
