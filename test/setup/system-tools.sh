#!/usr/bin/env bash
# The system tools the test suites run for real (Chromium for e2e, xorriso & co. to build and check
# images, gpg for signatures). On Debian/Ubuntu as root, installs what is missing (a no-op when all is
# there); anywhere else, names what is missing and fails: suites never pass silently without them.
set -euo pipefail

# command  Debian package
tools=(
  "chromium chromium"
  "xorriso xorriso"
  "genisoimage genisoimage"
  "7zz 7zip"
  "mtools mtools"
  "mkfs.fat dosfstools"
  "sgdisk gdisk"
  "gpg gnupg"
  "losetup mount"
)
# Python modules and the like, checked by a command that fails when absent. Debian's own python3
# (/usr/bin/python3), not whatever python3 comes first on PATH: that is where python3-* packages live.
checks=(
  "/usr/bin/python3 -c 'import pycdlib'|python3-pycdlib"
)

missing=()
for entry in "${tools[@]}"; do
  read -r command package <<<"$entry"
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done
for entry in "${checks[@]}"; do
  check=${entry%|*}
  package=${entry##*|}
  bash -c "$check" >/dev/null 2>&1 || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-tools: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  exit 0
fi

echo "system-tools: the tests need these packages, which are missing: ${missing[*]}" >&2
echo "system-tools: install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run npm test again" >&2
exit 1
