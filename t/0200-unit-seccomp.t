#!/bin/sh
# Unit tests of seccomp.c: t/unit-seccomp (make t/unit-seccomp) prints its
# own TAP; it reads the Docker profile next to this file.
dir=$(dirname "$0")
# OCIMIN_UNIT_DIR: where make check-asan put its sanitizer build of it.
bin=${OCIMIN_UNIT_DIR:-$dir}/unit-seccomp
if [ ! -x "$bin" ]; then
	echo "1..1"
	echo "not ok 1 - $bin is built (make t/unit-seccomp)"
	exit 1
fi
exec "$bin" "$dir/seccomp-docker.json"
