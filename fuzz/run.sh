#!/bin/sh
# fuzz/run.sh - `make fuzz`: each libFuzzer target of build/fuzz/ocimin-fuzz
# in turn, for FUZZ_SECONDS in all (600 by default) split between them,
# seeded by fuzz/seeds.sh. Inputs that found new paths are kept in
# build/fuzz/corpus/<target> for the next run. Fails on the first crash,
# sanitizer report, leak or timeout, whose input is kept as
# build/fuzz/<target>-crash-* (replay: build/fuzz/<target> FILE).
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
secs=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-config seccomp process resources state}
set -- $targets
each=$((secs / $#))
[ "$each" -ge 1 ] || each=1
sh fuzz/seeds.sh build/fuzz/seeds || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in $targets; do
	ln -f build/fuzz/ocimin-fuzz "build/fuzz/$t" &&
	mkdir -p "build/fuzz/corpus/$t" || exit 1
	echo "fuzz: $t for ${each}s"
	"build/fuzz/$t" -max_total_time="$each" -timeout=10 -rss_limit_mb=4096 \
		-dict=build/fuzz/seeds/json.dict -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$t-" \
		"build/fuzz/corpus/$t" "build/fuzz/seeds/$t" >"build/fuzz/$t.log" 2>&1
	r=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "build/fuzz/$t.log" | tail -1)
	echo "fuzz: $t: ${runs:-?} executions, $cov, corpus $(ls "build/fuzz/corpus/$t" | wc -l) files"
	if [ "$r" -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $r); the end of build/fuzz/$t.log:"
		tail -60 "build/fuzz/$t.log"
		status=1
		break
	fi
done
exit $status
