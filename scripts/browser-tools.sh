#!/bin/sh
# The end-to-end tests' tools: Debian's chromium, and axe-core and the Nu Html Checker
# (vnu-jar, run with the machine's Java) from the npm registry.
# Each step does nothing when its tool is already there. Without them the browser tests
# skip and say why; nothing here downloads a browser build of its own.
set -eu
cd "$(dirname "$0")/.."

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "browser-tools: $* missing and not root; install it with apt-get" >&2
        return 0
    fi
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

[ -x /usr/bin/chromium ] || apt_install chromium
command -v npm >/dev/null 2>&1 || apt_install npm
command -v java >/dev/null 2>&1 || apt_install default-jre-headless
if command -v npm >/dev/null 2>&1 && { [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ] ||
    [ ! -f tests/e2e/node_modules/vnu-jar/build/dist/vnu.jar ]; }; then
    (cd tests/e2e && npm ci --no-audit --no-fund --ignore-scripts)
fi
