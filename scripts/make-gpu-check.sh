#!/usr/bin/env bash
# Builds gpu-check/ (gitignored, at most 64 MiB): everything scripts/gpu-check.sh needs on an offline
# Linux x64 machine with an NVIDIA GPU and Python with torch, transformers and peft:
#   gpuCheck.mjs, benchLmStep.mjs  the benchmark, bundled by esbuild (TF.js and the engine inside)
#   node_modules/webgpu/           Dawn's linux-x64 binary (dawn.node) from the `webgpu` npm package
#   node.tar.xz                    the Node binary this machine runs (a self-contained build), compressed
#   vulkan/                        the Vulkan loader (libvulkan.so.1) and glvnd's libEGL/libGLX/libGLdispatch,
#                                  unpacked from Debian's libvulkan1, libglvnd0, libegl1, libglx0... with dpkg -x
#   benchTorch.py, gpu-check.sh    the PyTorch + PEFT side and the entry point
# Usage: scripts/make-gpu-check.sh [OUT_DIR]   (then copy the folder over and run ./gpu-check.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-gpu-check}"
rm -rf "$OUT" && mkdir -p "$OUT/node_modules/webgpu/dist/linux-x64" "$OUT/vulkan"

# ESM bundles run under Node; `require` and __dirname are given to the CommonJS parts of TF.js.
BANNER="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
for entry in gpuCheck benchLmStep; do
  npx esbuild "scripts/$entry.ts" --bundle --platform=node --format=esm --target=node20 --minify \
    --external:webgpu --banner:js="$BANNER" --outfile="$OUT/$entry.mjs" --log-level=warning
done

WEBGPU=node_modules/webgpu
cp "$WEBGPU/package.json" "$WEBGPU/index.js" "$OUT/node_modules/webgpu/"
cp "$WEBGPU/dist/linux-x64/dawn.node" "$OUT/node_modules/webgpu/dist/linux-x64/"

NODE_BIN="$(readlink -f "$(command -v node)")"
tar -C "$(dirname "$NODE_BIN")" -cJf "$OUT/node.tar.xz" "$(basename "$NODE_BIN")"

# The Vulkan loader, and libglvnd's libraries: NVIDIA's Vulkan driver (libGLX_nvidia.so.0) loads but
# returns no vkCreateInstance without libEGL/libGLX/libGLdispatch (seen on an H200 container whose
# image mounts the driver but has no glvnd), and such images often lack the loader too.
DEBS="$(mktemp -d)"
PKGS="libvulkan1 libglvnd0 libegl1 libglx0 libgl1 libopengl0 libgles2"
(cd "$DEBS" && apt-get download $PKGS >/dev/null 2>&1) || { echo "apt-get download $PKGS failed: the bundle relies on the GPU machine's own libvulkan.so.1 and glvnd" >&2; }
for deb in "$DEBS"/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" "$DEBS/x"; done
for lib in "$DEBS"/x/usr/lib/x86_64-linux-gnu/*.so.[0-9]; do
  [ -e "$lib" ] && cp -L "$lib" "$OUT/vulkan/"
done
rm -rf "$DEBS"

cp scripts/benchTorch.py scripts/gpu-check.sh "$OUT/"
chmod +x "$OUT/gpu-check.sh"
SIZE=$(du -sb "$OUT" | cut -f1)
echo "gpu-check bundle: $OUT ($((SIZE / 1048576)) MiB)"
if [ "$SIZE" -gt $((64 * 1048576)) ]; then echo "over the 64 MiB budget" >&2; exit 1; fi
