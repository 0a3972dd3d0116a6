#!/bin/bash
# run-guest-tests.sh - test warmlane's cgroup v2 path for real: boot Debian's kernel under
# QEMU (TCG, no KVM needed) with cgroup_no_v1=all, from an initramfs holding busybox, the
# static warmlane binary and a busybox container rootfs, and run guest/checks.sh there.
#
# Usage (as root, from anywhere):  bash Tests/QEMU/run-guest-tests.sh
# Env:
#   WARMLANE        static warmlane binary (default: <repo>/.build/release/warmlane, built with
#                   swift build -c release -Xswiftc -static-executable --product warmlane)
#   WLQ_CACHE       kernel + build cache (default: <repo>/out/qemu, gitignored)
#   WLQ_KERNEL      use this vmlinuz/vmlinux instead of Debian's linux-image-amd64
#   WLQ_REFRESH=1   fetch the kernel package again even if one is cached
#   WLQ_TIMEOUT     seconds the guest may run (default 240)
#   WLQ_MEM WLQ_SMP guest memory in MiB (1024) and CPUs (2)
#   WLQ_NO_APT=1    never call apt-get; fail if something is missing
#   WLQ_ONLY        space-separated check functions of guest/checks.sh to run (development aid)
# Exit: 0 every check PASS; 1 a check FAILed, or the guest timed out / died; 2 setup error.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WARMLANE=${WARMLANE:-$REPO/.build/release/warmlane}
CACHE=${WLQ_CACHE:-$REPO/out/qemu}
TIMEOUT=${WLQ_TIMEOUT:-240}
MEM=${WLQ_MEM:-1024}
SMP=${WLQ_SMP:-2}
T_START=$(date +%s.%N)

say() { printf '== %s\n' "$*"; }
die() { printf 'SETUP-ERROR %s\n' "$*" >&2; exit 2; }
elapsed() { awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# ------------------------------------------------------------------ host packages
is_static() {
    local out
    [ -x "$1" ] || return 1
    out=$(LC_ALL=C ldd "$1" 2>&1 || true)
    [[ $out == *"not a dynamic executable"* || $out == *"statically linked"* ]]
}
static_busybox() {
    local b
    for b in "${BUSYBOX:-}" /bin/busybox /usr/bin/busybox "$(command -v busybox || true)"; do
        [ -n "$b" ] && is_static "$b" && { echo "$b"; return 0; }
    done
    return 1
}
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
static_busybox >/dev/null || missing+=(busybox-static)
command -v cpio >/dev/null || missing+=(cpio)
command -v gzip >/dev/null || missing+=(gzip)
command -v xz >/dev/null || missing+=(xz-utils)
if [ ${#missing[@]} -gt 0 ]; then
    [ "${WLQ_NO_APT:-0}" = 1 ] && die "missing packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root or install them"
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
        die "apt-get install ${missing[*]} failed"
fi
BUSYBOX=$(static_busybox) || die "no static busybox after installing busybox-static"

is_static "$WARMLANE" ||
    die "$WARMLANE is not a static executable; build it with: swift build -c release -Xswiftc -static-executable --product warmlane"

# ------------------------------------------------------------------ kernel
# Debian's linux-image-amd64 (bzImage, XZ-compressed). Under TCG, decompressing it costs
# seconds, so the uncompressed ELF vmlinux is extracted once and booted through PVH.
mkdir -p "$CACHE/kernel"
KDIR=$CACHE/kernel
fetch_kernel() {
    local pkg deb
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$pkg" ]; then
        [ "${WLQ_NO_APT:-0}" = 1 ] && die "cannot resolve linux-image-amd64 (no apt lists)"
        apt-get update -q >/dev/null || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    fi
    [ -n "$pkg" ] || die "cannot resolve the linux-image-amd64 dependency"
    say "fetching $pkg (apt-get download)"
    rm -rf "$KDIR/deb" "$KDIR/x" && mkdir -p "$KDIR/deb" "$KDIR/x"
    # apt's _apt sandbox user cannot write to root-only dirs; apt then downloads as root and warns.
    (cd "$KDIR/deb" && apt-get download -q "$pkg" 2>&1 | grep -v -i 'unsandboxed' || true)
    deb=$(ls "$KDIR"/deb/"$pkg"_*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
    dpkg-deb -x "$deb" "$KDIR/x"
    local z; z=$(ls "$KDIR"/x/boot/vmlinuz-* | head -1)
    cp "$z" "$KDIR/vmlinuz"
    cp "$KDIR/x/boot/config-${z##*/vmlinuz-}" "$KDIR/config" 2>/dev/null || true
    echo "${z##*/vmlinuz-}" > "$KDIR/release"
    rm -rf "$KDIR/deb" "$KDIR/x" "$KDIR/vmlinux"
}
# Finds the XZ stream inside a bzImage and unpacks it; the result must be an ELF file.
extract_vmlinux() {
    local off
    for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1); do
        tail -c +$((off + 1)) "$1" | xz -dc --single-stream > "$2.tmp" 2>/dev/null || true
        if [ "$(head -c 4 "$2.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then mv "$2.tmp" "$2"; return 0; fi
    done
    rm -f "$2.tmp"
    return 1
}
if [ -n "${WLQ_KERNEL:-}" ]; then
    [ -r "$WLQ_KERNEL" ] || die "WLQ_KERNEL=$WLQ_KERNEL is not readable"
    BOOT=$WLQ_KERNEL
else
    if [ "${WLQ_REFRESH:-0}" = 1 ] || [ ! -s "$KDIR/vmlinuz" ]; then fetch_kernel; fi
    BOOT=$KDIR/vmlinuz
    if [ ! -s "$KDIR/config" ] || grep -q '^CONFIG_PVH=y' "$KDIR/config"; then
        [ -s "$KDIR/vmlinux" ] || extract_vmlinux "$KDIR/vmlinuz" "$KDIR/vmlinux" || true
        [ -s "$KDIR/vmlinux" ] && BOOT=$KDIR/vmlinux
    fi
fi
say "kernel: $BOOT ($(cat "$KDIR/release" 2>/dev/null || echo custom))"

# ------------------------------------------------------------------ initramfs
IR=$CACHE/initramfs
rm -rf "$IR"
mkdir -p "$IR"/{bin,etc,rootfs/bin,rootfs/proc,rootfs/sys,rootfs/dev,rootfs/tmp,rootfs/out,rootfs/etc}
cp "$BUSYBOX" "$IR/bin/busybox"
# Debug info is two thirds of the binary; the guest unpacks and copies it, so strip a copy.
if command -v strip >/dev/null; then strip -o "$IR/bin/warmlane" "$WARMLANE"; else cp "$WARMLANE" "$IR/bin/warmlane"; fi
cp "$HERE/guest/init" "$IR/init"
cp "$HERE/guest/checks.sh" "$IR/checks.sh"
chmod 755 "$IR/init" "$IR/checks.sh"
printf 'root:x:0:0:root:/:/bin/sh\n' > "$IR/etc/passwd"
printf 'root:x:0:\n' > "$IR/etc/group"
# The container rootfs: busybox and relative links, so they resolve inside the container.
cp "$BUSYBOX" "$IR/rootfs/bin/busybox"
for a in sh awk cat echo grep head hostname id kill ls mkdir ps seq sleep tr true false wc; do
    ln -s busybox "$IR/rootfs/bin/$a"
done
cp "$IR/etc/passwd" "$IR/etc/group" "$IR/rootfs/etc/"
INITRD=$CACHE/initrd.cpio.gz
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1 > "$INITRD")
say "initramfs: $(du -h "$INITRD" | cut -f1) (warmlane $(du -h "$IR/bin/warmlane" | cut -f1) stripped) after $(elapsed)s"

# ------------------------------------------------------------------ boot
LOG=$CACHE/guest.log
APPEND="console=ttyS0 quiet loglevel=3 panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 rdinit=/init"
# WLQ_ONLY="c_pause c_resume": run only these check functions (development aid).
[ -n "${WLQ_ONLY:-}" ] && APPEND="$APPEND wlq.only=$(echo $WLQ_ONLY | tr ' ' ',')"
say "booting: qemu-system-x86_64 -accel tcg -cpu max -smp $SMP -m $MEM (timeout ${TIMEOUT}s)"
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp "$SMP" -m "$MEM" \
    -display none -no-reboot -nodefaults -serial stdio -kernel "$BOOT" -initrd "$INITRD" -append "$APPEND" \
    </dev/null 2>&1 | sed -u -e 's/\r$//' | tee "$LOG" | grep --line-buffered -E '^(PASS|FAIL|INFO|WLQ-SUMMARY)'
QRC=${PIPESTATUS[0]}
set -e

npass=$(grep -c '^PASS ' "$LOG" || true)
nfail=$(grep -c '^FAIL ' "$LOG" || true)
rc=0
if ! grep -q '^WLQ-DONE' "$LOG"; then
    rc=1
    if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
        echo "FAIL guest: timed out after ${TIMEOUT}s (qemu killed); last lines of $LOG:"
    else
        echo "FAIL guest: did not finish (qemu rc=$QRC); last lines of $LOG:"
    fi
    tail -n 15 "$LOG" | sed 's/^/    /'
    nfail=$((nfail + 1))
fi
[ "$nfail" -eq 0 ] || rc=1
[ "$npass" -gt 0 ] || rc=1
say "guest log: $LOG; total $(elapsed)s"
echo "$npass passed, $nfail failed"
exit $rc
