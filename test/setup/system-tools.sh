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
  # The FAT32 writer's checkers (test/fat/): fsck.fat comes with mkfs.fat; blkid reads the label and type.
  "fsck.fat dosfstools"
  "blkid util-linux"
  # An ext4 volume on a loop device, to rot a file's bytes under its file system (test/flash/verify-and-cache.test.ts).
  "mkfs.ext4 e2fsprogs"
  "sgdisk gdisk"
  "gpg gnupg"
  "losetup mount"
  # The e2e write flow mounts ext2 on a loop device as a mounted target (the kernel here has no vfat or iso9660).
  "mkfs.ext2 e2fsprogs"
  "fusermount3 fuse3"
  "zstd zstd"
  "xz xz-utils"
  "bzip2 bzip2"
  "zip zip"
  # UDF fixtures (test/fixtures/udf-images.ts): mkudffs makes UDF-only images, udfclient fills them
  # without mounting (the kernel here has no udf driver).
  "mkudffs udftools"
  "udfclient udfclient"
  # An independent BIN/CUE reader to cross-check the container fixtures (test/container/).
  "bchunk bchunk"
  # Copy-files sticks (issue 14): reference checkers for the FAT32/exFAT and partition-table writers,
  # wimlib to make and check split WIMs, GRUB to build the boot-proof loaders, QEMU + OVMF to boot them.
  "fsck.exfat exfatprogs"
  # The exFAT reader's fixture is filled through FUSE (test/fixtures/fat-images.ts): no kernel exFAT driver here.
  "mount.exfat-fuse exfat-fuse"
  "sfdisk fdisk"
  "wimlib-imagex wimtools"
  "grub-mkstandalone grub-common"
  "qemu-system-x86_64 qemu-system-x86"
  # ISO authoring's differential oracles (test/authoring/differential/): libarchive's ISO reader.
  "bsdtar libarchive-tools"
  # Secure Boot pre-check (test/pe/): pesign computes the Authenticode hash, sbsign/sbverify sign and list signatures.
  "pesign pesign"
  "sbsign sbsigntool"
  # Where the hashing pass's reads land (test/checksum/hash-pass-ring.test.ts): pread64's buffer address.
  "strace strace"
)
# Python modules and the like, checked by a command that fails when absent. Debian's own python3
# (/usr/bin/python3), not whatever python3 comes first on PATH: that is where python3-* packages live.
checks=(
  # Real signed EFI loaders, and ia32 GRUB (a built one and grub-mkimage's modules) for the PE tests (test/pe/).
  "test -f /usr/lib/shim/shimx64.efi.signed|shim-signed"
  "test -f /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed|grub-efi-amd64-signed"
  "test -f /usr/lib/grub/i386-efi/monolithic/grubia32.efi|grub-efi-ia32-bin"
  "/usr/bin/python3 -c 'import pycdlib'|python3-pycdlib"
  # The flash fault-injection tests' FUSE file system (test/flash/tools/faulty-fs.py).
  "/usr/bin/python3 -c 'import fusepy'|python3-fusepy"
  # Boot files for the boot fixtures, and the bootable images Debian ships (test/boot/).
  "test -f /usr/lib/ISOLINUX/isolinux.bin -a -f /usr/lib/ISOLINUX/isohdpfx.bin|isolinux"
  "test -f /usr/lib/syslinux/modules/bios/ldlinux.c32|syslinux-common"
  "test -f /usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/bootnetx64.efi|debian-installer-12-netboot-amd64"
  "test -f /usr/lib/ipxe/ipxe.iso|ipxe"
  "test -f /usr/lib/grub-rescue/grub-rescue-cdrom.iso -a -e /usr/lib/grub-rescue/grub-rescue-usb.img|grub-rescue-pc"
  "test -f /usr/lib/memtest86+/memtest86+x64.iso -a -f /usr/lib/memtest86+/memtest86+ia32.iso|memtest86+"
  "test -d /usr/lib/grub/x86_64-efi|grub-efi-amd64-bin"
  "test -d /usr/lib/grub/i386-pc|grub-pc-bin"
  "test -f /usr/share/OVMF/OVMF_CODE_4M.fd -o -f /usr/share/OVMF/OVMF_CODE.fd|ovmf"
  "test -f /usr/bin/syslinux|syslinux"
  # The boot verdict's board loaders (test/boot/disk-boot-images.ts): Debian's real U-Boot builds. They
  # are ARM packages holding data only (no dependencies), installed as foreign architectures.
  "test -f /usr/lib/u-boot/pine64_plus/sunxi-spl.bin|u-boot-sunxi:arm64"
  "test -f /usr/lib/u-boot/rock64-rk3328/idbloader.img|u-boot-rockchip:arm64"
  "test -f /usr/lib/u-boot/wandboard/SPL|u-boot-imx:armhf"
  "test -f /usr/lib/u-boot/am335x_boneblack/MLO|u-boot-omap:armhf"
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
  for package in "${missing[@]}"; do
    case "$package" in *:*) dpkg --add-architecture "${package##*:}" ;; esac
  done
  if apt-get update -q >&2; then
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    exit 0
  fi
  # One index failed (2026-12-05: bookworm-security's armhf Packages.xz, "File has unexpected size ...
  # Mirror sync in progress?", on every try for the ten minutes watched). apt then drops every list of that repository, the
  # native ones too, and the packages it had updated can no longer be matched (libarchive-tools wanted
  # a libarchive13 older than the installed one). So: the foreign-architecture packages (data only, no
  # dependencies) from the lists that did load, then the native ones after an update of the native
  # architecture's lists alone.
  echo "system-tools: apt-get update could not read every index (above); installing in two steps" >&2
  native=() foreign=()
  for package in "${missing[@]}"; do
    case "$package" in *:*) foreign+=("$package") ;; *) native+=("$package") ;; esac
  done
  if [ ${#foreign[@]} -gt 0 ]; then apt-get install -y -q --no-install-recommends "${foreign[@]}" >&2; fi
  apt-get update -q -o APT::Architectures="$(dpkg --print-architecture)" >&2
  if [ ${#native[@]} -gt 0 ]; then apt-get install -y -q --no-install-recommends "${native[@]}" >&2; fi
  exit 0
fi

echo "system-tools: the tests need these packages, which are missing: ${missing[*]}" >&2
echo "system-tools: install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run npm test again" >&2
exit 1
