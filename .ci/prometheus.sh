#!/usr/bin/env bash
# Unpacks Debian's prometheus package (Prometheus 2.42 and promtool) into tools/prometheus, for
# the tests that scrape `lineofsight serve` with a real Prometheus. Installing the package would
# run its script, which starts a system Prometheus on :9090; unpacking runs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=tools/prometheus
want=2.42
if [ -x "$dir/usr/bin/prometheus" ] && [ -x "$dir/usr/bin/promtool" ]; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
download() { (cd "$tmp" && apt-get download prometheus 2>&1 | grep -v '^W: Download is performed unsandboxed' || true); }
download
# A machine whose package lists were never fetched knows no prometheus package yet.
if ! ls "$tmp"/prometheus_*.deb >/dev/null 2>&1; then apt-get update -qq >/dev/null 2>&1 || true; download; fi
deb=$(ls "$tmp"/prometheus_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "could not download Debian's prometheus package (apt-get download prometheus)" >&2; exit 1; }
version=$(dpkg-deb -f "$deb" Version)
case "$version" in
  "$want".*) ;;
  *) echo "Debian's prometheus package is $version; the tests are written against $want" >&2; exit 1 ;;
esac
mkdir -p "$dir"
dpkg-deb -x "$deb" "$dir"
"$dir/usr/bin/prometheus" --version | head -1
