#!/usr/bin/env bash
# Builds the Linux packages from the release binary already in target/release:
#   target/debian/event-architect_VERSION-1_ARCH.deb         (cargo-deb, from Cargo.toml)
#   target/packages/event-architect-VERSION-ARCH-linux.tar.gz (the .deb's /usr, for ~/.local)
# The tarball is made from the .deb's contents, so both install the same files.
# Needs cargo-deb (cargo install cargo-deb --locked) and dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/release/event-architect ] || { echo "build first: cargo build --release"; exit 2; }
deb=$(cargo deb --no-build --locked 2>/dev/null | tail -n 1)
[ -f "$deb" ] || { echo "cargo deb made no package"; exit 1; }
version=$(dpkg-deb -f "$deb" Version | sed 's/-[0-9]*$//')
arch=$(uname -m)
name="event-architect-$version-$arch-linux"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dpkg-deb -x "$deb" "$stage"
mkdir -p target/packages
mv "$stage/usr" "$stage/$name"
tar -C "$stage" --owner=0 --group=0 -czf "target/packages/$name.tar.gz" "$name"
echo "$deb"
echo "target/packages/$name.tar.gz"
