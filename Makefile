# ocimin: one static binary, built with musl. jsmn and the kernel's uapi
# headers come from the host's /usr/include; musl-gcc hides that directory,
# so build/include holds links to just those, and nothing else of glibc.
ifeq ($(origin CC),default)
CC = musl-gcc
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MULTIARCH ?= $(shell gcc -print-multiarch)
CFLAGS ?= -Os
# No unwind tables: C without exceptions needs none, and they are a
# tenth of the binary. No separate code segment padding either, and no
# RELRO: its end is page-aligned by padding the file, and a static musl
# binary never mprotects it anyway (there is no dynamic linker to do it).
# No position-independent code: a static binary is never relocated, and
# PIE code is 3 KB more of it.
OCI_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes \
	-D_GNU_SOURCE -isystem build/include -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie
OCI_LDFLAGS = -static -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code \
	-Wl,-z,norelro
SRC = ocimin.c json.c linux.c cgroup.c tty.c seccomp.c
PROVE ?= prove

all: ocimin

build/include/jsmn.h:
	mkdir -p build/include
	ln -sfn /usr/include/linux build/include/linux
	ln -sfn /usr/include/asm-generic build/include/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm build/include/asm
	ln -sfn /usr/include/jsmn.h $@

# Syscall numbers by name for every arch seccomp.c knows, from the uapi
# headers (the host's, and linux-libc-dev-*-cross for the others).
build/syscalls.h: mksyscalls.sh
	mkdir -p build
	sh mksyscalls.sh >$@.tmp && mv $@.tmp $@

# SYSTAB_NATIVE: only this arch's columns of build/syscalls.h (and its
# compat arches'), 3 KB less; the unit tests and fuzzers keep them all.
ocimin: $(SRC) ocimin.h build/include/jsmn.h build/syscalls.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) -DSYSTAB_NATIVE $(LDFLAGS) $(OCI_LDFLAGS) -o $@ $(SRC)

t/probe: t/probe.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/probe.c

t/unit-json: t/unit-json.c t/unit.h json.c ocimin.h build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/unit-json.c json.c

t/unit-seccomp: t/unit-seccomp.c t/unit.h seccomp.c json.c ocimin.h build/include/jsmn.h build/syscalls.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/unit-seccomp.c seccomp.c json.c

t/seccomp-listener: t/seccomp-listener.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/seccomp-listener.c

t/recvtty: t/recvtty.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/recvtty.c

t/enosys: t/enosys.c ocimin.h build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/enosys.c

t/attack: t/attack.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/attack.c

# The suite on this host, then again in a qemu VM booted from an initramfs
# where every cgroup v2 controller exists (t/vm/run), then in the same VM
# with Debian 11's kernel, Linux 5.10 (check-vm-5.10); in that order, even
# under make -j.
check: check-host
	$(MAKE) --no-print-directory check-vm
	$(MAKE) --no-print-directory check-vm-5.10

check-host: ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener t/enosys t/attack
	$(PROVE) t/

check-vm: ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener t/enosys t/attack
	PROVE='$(PROVE)' sh t/vm/run

check-vm-5.10: ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener t/enosys t/attack
	OCIMIN_VM_SUITE=bullseye PROVE='$(PROVE)' sh t/vm/run

# Sanitizer builds, with clang against glibc (fuzz/deps.sh installs clang,
# its runtimes and llvm-symbolizer when missing). fuzz: the libFuzzer
# targets of fuzz/fuzz.c (config, seccomp, process, resources, state), for
# FUZZ_SECONDS in all, seeded from t/corpus (fuzz/run.sh). check-asan: the
# suite with ocimin and the unit tests built with ASan and UBSan, failing
# on any report (kept in build/asan/log).
SAN_CC ?= clang
SAN_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes -D_GNU_SOURCE \
	-isystem build/include -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN = -fsanitize=address,undefined fuzz/asan-options.c
FUZZ_SECONDS ?= 600

fuzz: ocimin build/include/jsmn.h build/syscalls.h
	sh fuzz/deps.sh
	mkdir -p build/fuzz
	$(SAN_CC) $(SAN_CFLAGS) -fsanitize=fuzzer,address,undefined -o build/fuzz/ocimin-fuzz fuzz/fuzz.c seccomp.c
	FUZZ_SECONDS='$(FUZZ_SECONDS)' sh fuzz/run.sh

check-asan: t/probe t/recvtty t/seccomp-listener t/enosys t/attack build/include/jsmn.h build/syscalls.h
	sh fuzz/deps.sh
	rm -rf build/asan && mkdir -p build/asan/log
	$(SAN_CC) $(SAN_CFLAGS) -o build/asan/ocimin $(SRC) $(ASAN)
	$(SAN_CC) $(SAN_CFLAGS) -o build/asan/unit-json t/unit-json.c json.c $(ASAN)
	$(SAN_CC) $(SAN_CFLAGS) -o build/asan/unit-seccomp t/unit-seccomp.c seccomp.c json.c $(ASAN)
	OCIMIN='$(CURDIR)/build/asan/ocimin' OCIMIN_ASAN=1 OCIMIN_UNIT_DIR='$(CURDIR)/build/asan' \
	ASAN_OPTIONS='log_path=$(CURDIR)/build/asan/log/asan' UBSAN_OPTIONS='log_path=$(CURDIR)/build/asan/log/ubsan' \
	$(PROVE) t/; s=$$?; \
	if [ -n "$$(ls build/asan/log)" ]; then head -n 60 build/asan/log/*; s=1; fi; exit $$s

.PHONY: fuzz check-asan

# Static binaries for aarch64, armhf, i386, mips64el and riscv64 with
# Debian's cross gcc and musl-dev (riscv64's musl built from Debian's
# source package by cross/musl), installed by cross/setup, into
# build/cross/ARCH (cross/build); dist: them and ./ocimin, stripped, with
# SHA256SUMS and SIZES, in dist/; check-cross: their unit tests under
# qemu-user-static, then the suite in an aarch64 VM, then one container in
# an armhf, an i386, a mips64el and a riscv64 VM (cross/check).
cross: build/syscalls.h build/include/jsmn.h
	sh cross/setup
	CFLAGS='$(CFLAGS)' sh cross/build

dist: ocimin cross
	sh cross/dist

check-cross: cross
	PROVE='$(PROVE)' sh cross/check

install: ocimin
	install -D -m 0755 ocimin $(DESTDIR)$(BINDIR)/ocimin

clean:
	rm -rf ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener t/enosys t/attack build dist

.PHONY: all check check-host check-vm check-vm-5.10 install clean demo bench bench-vm stress cross dist check-cross

# The load and fault tests at full size (t/stress): 1000 runs in a row,
# 50 containers at once, the host's mounts, fds, cgroups and kernel memory
# compared before and after.
stress: ocimin t/probe
	PROVE='$(PROVE)' sh t/stress

# ocimin against bench/floor.c (the kernel's floor), crun and runc: a table,
# bench/out/{table.txt,results.json,chart.svg} (bench/run); bench-vm: the
# same inside the test VM, pure cgroup v2 (bench/vm).
bench: ocimin build/include/jsmn.h build/syscalls.h
	CC='$(CC)' sh bench/run

bench-vm: ocimin build/include/jsmn.h build/syscalls.h
	CC='$(CC)' sh bench/vm

# A busybox bundle made with `ocimin spec`, run once: the README's demo.
demo: ocimin
	rm -rf build/demo && mkdir -p build/demo/rootfs/bin
	cp /bin/busybox build/demo/rootfs/bin/busybox
	for a in sh echo hostname id cat; do ln -s busybox build/demo/rootfs/bin/$$a; done
	cd build/demo && ../../ocimin spec
	sed -i -e 's/"terminal": true/"terminal": false/' \
	  -e 's|"sh"$$|"sh", "-c", "echo Hello from ocimin: I am pid $$$$ on $$(hostname), uid $$(id -u)"|' \
	  build/demo/config.json
	./ocimin --root build/demo/state run --bundle build/demo demo
