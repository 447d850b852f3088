#!/bin/sh
# Renders every app icon from the one source image, assets/icon.svg: the PNGs Tauri embeds
# for desktops (src-tauri/icons), Android's launcher icons per screen density
# (assets/android/mipmap-*/ic_launcher.png) and iOS's app icon sizes (assets/ios/AppIcon-*.png).
# Needs ImageMagick (Debian: imagemagick). Run after editing icon.svg; commit the output.
set -eu
here=$(dirname "$0")
render() { convert -background none -density 600 "$here/icon.svg" -resize "$1x$1" "PNG32:$2"; }

desktop="$here/../src-tauri/icons"
mkdir -p "$desktop"
render 32 "$desktop/32x32.png"
render 128 "$desktop/128x128.png"
render 512 "$desktop/icon.png"

# Android densities: mdpi 48 px, then 1.5x, 2x, 3x and 4x.
for pair in mdpi:48 hdpi:72 xhdpi:96 xxhdpi:144 xxxhdpi:192; do
  density=${pair%%:*}
  size=${pair##*:}
  mkdir -p "$here/android/mipmap-$density"
  render "$size" "$here/android/mipmap-$density/ic_launcher.png"
done

# iOS: the sizes Xcode's AppIcon set asks for (points x scale), and the 1024 px store icon.
mkdir -p "$here/ios"
for size in 40 58 60 76 80 87 120 152 167 180 1024; do
  render "$size" "$here/ios/AppIcon-$size.png"
done
