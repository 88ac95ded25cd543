#!/usr/bin/env bash
# The GPU check (built by scripts/make-gpu-check.sh; docs/benchmarks.md, "GPU check"). On an offline
# Linux x64 machine with an NVIDIA GPU and Python with torch, transformers and peft:
#   ./gpu-check.sh                 GPT-2-124M- and Qwen2.5-0.5B-shaped LoRA r=8 steps, WebGPU vs PyTorch CUDA
#   ./gpu-check.sh --tiny          a toy model, WebGPU on SwiftShader if Chromium's is installed, PyTorch on CPU
# Options go to gpuCheck.mjs: --python PATH (default $PYTHON or python3), --steps N, --batch N, --seq N.
# Writes gpu-check-<date>.log beside itself.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT
tar -C "$RUN" -xJf "$HERE/node.tar.xz"
NODE="$RUN/$(ls "$RUN")"
# The bundled Vulkan loader and glvnd libraries, where the machine lacks them.
if [ -d "$HERE/vulkan" ] && { ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 || ! ldconfig -p 2>/dev/null | grep -q libEGL.so.1; }; then
  export LD_LIBRARY_PATH="$HERE/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# The NVIDIA driver's ICD file, where a container mounts the driver outside the loader's search path.
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; break; fi
  done
fi
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && ! ls /usr/share/glvnd/egl_vendor.d/*nvidia*.json >/dev/null 2>&1 \
  && [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
if [[ " $* " == *" --tiny "* ]] && [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$RUN}"
LOG="$HERE/gpu-check-$(date -u +%Y%m%dT%H%M%SZ).log"
"$NODE" --version >/dev/null
timeout 480 "$NODE" "$HERE/gpuCheck.mjs" "$@" 2>&1 | tee "$LOG"
echo "log: $LOG"
