#!/bin/sh
# Unit tests of json.c: t/unit-json (make t/unit-json) prints its own TAP.
# OCIMIN_UNIT_DIR: where make check-asan put its sanitizer build of it.
bin=${OCIMIN_UNIT_DIR:-$(dirname "$0")}/unit-json
if [ ! -x "$bin" ]; then
	echo "1..1"
	echo "not ok 1 - $bin is built (make t/unit-json)"
	exit 1
fi
exec "$bin"
