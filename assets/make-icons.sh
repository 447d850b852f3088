#!/bin/sh
# Renders the app icons from the one source image, assets/icon.svg, as the RGBA PNGs Tauri
# embeds at compile time. Needs ImageMagick (Debian: imagemagick). Run after editing icon.svg.
set -eu
here=$(dirname "$0")
out="$here/../src-tauri/icons"
mkdir -p "$out"
render() { /usr/bin/convert -background none -density 300 "$here/icon.svg" -resize "$1x$1" "PNG32:$out/$2"; }
render 32 32x32.png
render 128 128x128.png
render 512 icon.png
