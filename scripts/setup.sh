#!/bin/bash
# setup.sh - install everything usdtrace needs to build, demo and test.
#
# Idempotent: it adds bookworm-backports to apt's sources once and installs
# only the packages that are missing, so a second run takes seconds.
# libbpf >= 1.3 (uprobe_multi) and bpftool 7.5 only exist in backports, and
# backports' libbpf pulls elfutils 0.192, so libelf/libdw come from there too.
set -euo pipefail

BACKPORTS_LIST=/etc/apt/sources.list.d/bookworm-backports.list
BACKPORTS_PKGS=(libbpf-dev bpftool libelf-dev libdw-dev)
PKGS=(clang llvm systemtap-sdt-dev make gcc g++ binutils pkg-config
      python3.11 openjdk-17-jdk-headless ruby3.1 php8.2-cli bpftrace
      gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross
      libc6-dev-riscv64-cross valgrind libcap2-bin postgresql chromium
      libmicrohttpd-dev prometheus debhelper dpkg-dev fakeroot lintian
      python3.11-dev golang-go zlib1g-dev postgresql-server-dev-15 libyaml-dev
      libcrypt-dev openssl ruby3.1-dev php8.2-dev libvirt-daemon libvirt-clients
      qemu-system-x86)
# python3.11-dev: the unit test that checks the profiler's CPython offsets;
# golang-go: `go tool pprof` reads the profiles the tests write;
# postgresql-server-dev-15: the unit test that checks calls' PostgreSQL offsets;
# ruby3.1-dev, php8.2-dev: the unit tests that check the profiler's Ruby and PHP offsets;
# libvirt-daemon, libvirt-clients: test_libvirt starts a session libvirtd of its own;
# qemu-system-x86: ... and a TCG guest under it (no KVM), for the QEMU monitor's probes;
# libyaml-dev, libcrypt-dev: --web-config (YAML, bcrypt); openssl: its tests' certificates.
# Not gcc-multilib: on bookworm it conflicts with the cross compilers, and the
# i386 fixtures build freestanding with plain `gcc -m32` (no 32-bit libc).

log() { echo "setup: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (it installs packages)"
	exit 1
fi

missing() {
	local p out=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' \
			|| out+=("$p")
	done
	echo "${out[@]}"
}

# libbpf-dev from bookworm itself (1.1) is too old: require the backports one.
libbpf_ok() {
	local v
	v=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge "1:1.3"
}

need_bp=$(missing "${BACKPORTS_PKGS[@]}")
libbpf_ok || need_bp="${BACKPORTS_PKGS[*]}"
need=$(missing "${PKGS[@]}")

if [ -z "$need_bp" ] && [ -z "$need" ]; then
	log "all packages present"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
updated=0
if [ ! -f "$BACKPORTS_LIST" ]; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" > "$BACKPORTS_LIST"
fi
if ! apt-cache policy 2>/dev/null | grep -q bookworm-backports; then
	apt-get update -q || true
	updated=1
fi

install() {
	apt-get install -y -q --no-install-recommends "$@"
}

# Backports packages first (pinned with -t), then the rest from bookworm.
install_all() {
	if [ -n "$need_bp" ]; then
		# shellcheck disable=SC2086
		install -t bookworm-backports $need_bp || return 1
	fi
	if [ -n "$need" ]; then
		# shellcheck disable=SC2086
		install $need || return 1
	fi
}
if ! install_all; then
	# Stale package lists: refresh once and retry.
	[ "$updated" = 1 ] || apt-get update -q || true
	install_all
fi
log "done"
