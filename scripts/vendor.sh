#!/bin/sh
# Copy the browser code the app ships (static/vendor/) out of the npm packages named in
# static/vendor/package.json. Needs npm; fetches from the npm registry only.
set -eu
cd "$(dirname "$0")/../static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
detector=$(node -p 'require("./package.json").dependencies["barcode-detector"]')
wasm=$(node -p 'require("./package.json").dependencies["zxing-wasm"]')
(cd "$work" && npm pack --silent "barcode-detector@$detector" "zxing-wasm@$wasm" >/dev/null)
mkdir -p "$work/detector" "$work/wasm"
tar xzf "$work/barcode-detector-$detector.tgz" -C "$work/detector"
tar xzf "$work/zxing-wasm-$wasm.tgz" -C "$work/wasm"
pinned=$(node -p "require('$work/detector/package/package.json').dependencies['zxing-wasm']")
[ "$pinned" = "$wasm" ] || { echo "barcode-detector $detector wants zxing-wasm $pinned" >&2; exit 1; }
cp "$work/detector/package/dist/iife/ponyfill.js" barcode-detector/ponyfill.js
cp "$work/detector/package/LICENSE" barcode-detector/LICENSE.barcode-detector
cp "$work/wasm/package/dist/reader/zxing_reader.wasm" barcode-detector/zxing_reader.wasm
cp "$work/wasm/package/LICENSE" barcode-detector/LICENSE.zxing-wasm
echo "static/vendor: barcode-detector $detector, zxing-wasm $wasm"
