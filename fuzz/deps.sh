#!/bin/sh
# fuzz/deps.sh - what `make fuzz` and `make check-asan` build with: clang,
# its libFuzzer and sanitizer runtimes, llvm-symbolizer for readable
# reports. Installed with apt-get when missing; nothing done when present.
ok() {
	command -v clang >/dev/null 2>&1 && command -v llvm-symbolizer >/dev/null 2>&1 || return 1
	d=$(mktemp -d) || return 1
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' >"$d/t.c"
	clang -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
	r=$?
	rm -rf "$d"
	return $r
}

ok && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "fuzz/deps.sh: clang with libFuzzer is missing: install clang, llvm and libclang-rt-<version>-dev" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y clang llvm >/dev/null 2>&1 ||
	{ apt-get update >/dev/null && apt-get install -y clang llvm; } || exit 1
# the runtimes' package is named after clang's major version (Debian 12:
# libclang-rt-14-dev; before, they came with libclang-common-N-dev)
v=$(clang -dumpversion | cut -d. -f1)
apt-get install -y "libclang-rt-$v-dev" || apt-get install -y "libclang-common-$v-dev" || exit 1
ok || { echo "fuzz/deps.sh: clang still cannot build a fuzzer" >&2; exit 1; }
