# ocimin: one static binary, built with musl. jsmn and the kernel's uapi
# headers come from the host's /usr/include; musl-gcc hides that directory,
# so build/include holds links to just those, and nothing else of glibc.
ifeq ($(origin CC),default)
CC = musl-gcc
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MULTIARCH ?= $(shell gcc -print-multiarch)
CFLAGS ?= -Os -g
OCI_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes \
	-D_GNU_SOURCE -isystem build/include -ffunction-sections -fdata-sections
OCI_LDFLAGS = -static -Wl,--gc-sections
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

ocimin: $(SRC) ocimin.h build/include/jsmn.h build/syscalls.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ $(SRC)

t/probe: t/probe.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/probe.c

t/unit-json: t/unit-json.c json.c ocimin.h build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/unit-json.c json.c

t/unit-seccomp: t/unit-seccomp.c seccomp.c json.c ocimin.h build/include/jsmn.h build/syscalls.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/unit-seccomp.c seccomp.c json.c

t/seccomp-listener: t/seccomp-listener.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/seccomp-listener.c

t/recvtty: t/recvtty.c build/include/jsmn.h
	$(CC) $(CFLAGS) $(OCI_CFLAGS) $(LDFLAGS) $(OCI_LDFLAGS) -o $@ t/recvtty.c

# The suite on this host, then again in a qemu VM booted from an initramfs
# where every cgroup v2 controller exists (t/vm/run); in that order, even
# under make -j.
check: check-host
	$(MAKE) --no-print-directory check-vm

check-host: ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener
	$(PROVE) t/

check-vm: ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener
	PROVE='$(PROVE)' sh t/vm/run

install: ocimin
	install -D -m 0755 ocimin $(DESTDIR)$(BINDIR)/ocimin

clean:
	rm -rf ocimin t/probe t/unit-json t/recvtty t/unit-seccomp t/seccomp-listener build

.PHONY: all check check-host check-vm install clean demo

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
