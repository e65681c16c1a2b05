#!/usr/bin/env bash
# Renders assets/icon.svg to the PNG sizes the platforms use and to the Windows .ico.
# The outputs are committed; run this after changing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin) and ImageMagick's convert (Debian: imagemagick).
#   Linux: hicolor 16..512 (desktop entry, AppStream); the window icon: 256.
#   macOS: 16..1024 (cargo-packager builds the .icns from them).
#   Windows: icon.ico with 16, 24, 32, 48, 64, 128 and 256 inside.
set -euo pipefail
cd "$(dirname "$0")/../assets"
convert=/usr/bin/convert   # /usr/local/bin/convert on some machines is a stand-in
mkdir -p icons
for size in 16 24 32 48 64 128 256 512 1024; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/${size}x${size}.png"
done
"$convert" icons/16x16.png icons/24x24.png icons/32x32.png icons/48x48.png icons/64x64.png \
  icons/128x128.png icons/256x256.png icon.ico
ls -l icons icon.ico
