#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing;
# with --training, also those that training the models needs.
# Needs root (or sudo). Safe to run again: it does nothing when all is there.
set -euo pipefail

packages=(
  build-essential pkg-config libopencv-dev   # gocv against Debian's OpenCV 4.6
  fonts-dejavu-core fonts-bebas-neue fonts-roboto-unhinted fonts-liberation fonts-league-spartan  # wrong-font plates
  chromium   # the console's end-to-end test drives a real headless browser
  libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dev  # ebiten (the planner)
  xvfb xauth # the planner's tests run on a virtual display
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad  # virtual cameras over RTSP (anpr sim camera --rtsp)
)
# Training the models (make models) also needs PyTorch; nothing else does.
if [ "${1:-}" = "--training" ]; then
  packages+=(python3-torch python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
