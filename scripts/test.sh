#!/usr/bin/env bash
# Runs every test: type check, lint, build, unit, interop (real brz + sshd) and
# end-to-end (real Chromium). Installs the system packages the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real peers (brz, sshd, Chromium), what tools/bzr-test-hosts runs them with, and the tools tests check against.
need=()
command -v brz >/dev/null || need+=(brz)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pgrep >/dev/null || need+=(procps)
command -v setsid >/dev/null || need+=(util-linux)
# Captures taken and read back by the interchange tests; bzip2 reads our compressor's output.
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v tshark >/dev/null || need+=(tshark)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v script >/dev/null || need+=(bsdutils)
# Signed revisions in the bundle fixtures (brz commit signs with gpg).
command -v gpg >/dev/null || need+=(gnupg)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "Missing system packages: ${need[*]}. Run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing ${need[*]} with apt-get" >&2
  # Keep the package's own sshd from starting on *:22: tests run their own on loopback.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  if [ -n "$made_policy" ]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
fi

[ -d node_modules ] || ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci
npm run -s typecheck
npm run -s lint
npm run -s build
npx vitest run "$@"
