#!/bin/sh
test_description='containers by the dozen, at once and one after another: no zombie, and no mount, fd, cgroup or memory left behind'
. "$(dirname "$0")/lib.sh"

# Sizes: OCIMIN_TEST_PARALLEL containers at once (default 50, 20 where
# one container takes more than 0.15 s, as in the TCG VM), ROUNDS times;
# OCIMIN_TEST_RUNS sequential runs (default 50, 20 there). `make stress`
# (t/stress) runs this file with 1000 runs and OCIMIN_TEST_MEMCHECK=1,
# which also compares the kernel's memory before and after.

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
ID=ld$$

# Milliseconds since boot, to a hundredth of a second (busybox's date
# has no %N).
now_ms() {
	read -r nm_up nm_rest </proc/uptime
	nm_frac=${nm_up#*.}
	echo $(( ${nm_up%.*} * 1000 + ${nm_frac#0} * 10 ))
}

# The host's counts: its mounts, the fds of this shell, the cgroups and
# state dirs of this file's containers, the zombies this shell has.
mounts() { wc -l </proc/self/mountinfo; }
fds() { ls /proc/$$/fd | wc -l; }
cgroups() {
	[ -n "$CG2" ] && [ -d "$CG2/ocimin" ] || { echo 0; return; }
	ls "$CG2/ocimin" | grep -c "^$ID" || :
}
zombies() {
	grep -l "^PPid:[[:space:]]*$$\$" /proc/[0-9]*/status 2>/dev/null |
		xargs -r grep -l "^State:[[:space:]]*Z" 2>/dev/null | wc -l
}
# Kernel memory, in KiB, once the caches are dropped (stress only): slab
# and per-cpu memory, where a namespace, mount, cgroup or socket that
# outlives its container stays; MemAvailable is shown, not compared (the
# rest of the host moves it).
memory() {
	sync && echo 3 >/proc/sys/vm/drop_caches && sleep 1 &&
	awk '/^(Slab|Percpu|MemAvailable):/ { printf "%s %s ", $1, $2 }' /proc/meminfo
}
mem_field() { echo "$1" | sed -n "s/.*$2: \([0-9]*\).*/\1/p"; }

# Figures, shown after each test (a test's own output is shown only when
# it fails).
note() { echo "$*" >>"$TRASH/figures"; }
show_figures() {
	[ -s "$TRASH/figures" ] && sed "s/^/# /" "$TRASH/figures" && rm "$TRASH/figures"
	return 0
}

snapshot() {
	echo "mounts=$(mounts) fds=$(fds) cgroups=$(cgroups) zombies=$(zombies) state=$(ls -A "$ROOT" | wc -l)"
}

# same_as BEFORE: the counts are back where they were (noted); the host's mount
# table may move by a few (other users of this host), never by a
# container's worth.
same_as() {
	sa_now=$(snapshot)
	note "before: $1"
	note "after:  $sa_now"
	for k in fds cgroups zombies state; do
		a=$(echo "$1" | sed -n "s/.*$k=\([0-9]*\).*/\1/p")
		b=$(echo "$sa_now" | sed -n "s/.*$k=\([0-9]*\).*/\1/p")
		[ "$a" = "$b" ] || { echo "$k: $a before, $b after"; return 1; }
	done
	a=$(echo "$1" | sed -n "s/.*mounts=\([0-9]*\).*/\1/p")
	b=$(mounts)
	[ $((b - a)) -lt 3 ] || { echo "host mounts: $a before, $b after"; return 1; }
}

test_expect_success 'setup: a bundle; how big the load is' '
	make_bundle b "[\"/bin/sh\", \"-c\", \"sleep 0.2\"]" &&
	make_bundle bt "[\"/bin/true\"]" &&
	t0=$(now_ms) &&
	for i in 1 2 3 4 5; do oci run -b bt $ID-probe || exit 1; done &&
	per=$(( ($(now_ms) - t0) / 5 )) &&
	small=50 &&
	{ [ "$per" -le 150 ] || small=20; } &&
	echo "${OCIMIN_TEST_PARALLEL:-$small}" >parallel &&
	echo "${OCIMIN_TEST_RUNS:-$small}" >runs &&
	echo "${OCIMIN_TEST_ROUNDS:-1}" >rounds &&
	note "one run takes ${per} ms: $(cat parallel) at once x $(cat rounds), $(cat runs) in a row"
'
P=$(cat parallel 2>/dev/null || echo 20)
R=$(cat runs 2>/dev/null || echo 20)
show_figures
ROUNDS=$(cat rounds 2>/dev/null || echo 1)

# lifecycle N: create, start, exec in, wait for, delete container N; its
# status in rc.N. (Under set -e: a failure must end an && chain.)
lifecycle() {
	lc_rc=0
	{
		oci create -b b $ID-$1 &&
		oci start $ID-$1 &&
		{ oci exec $ID-$1 /bin/true || retry 100 status_is $ID-$1 stopped; } &&
		retry 600 status_is $ID-$1 stopped &&
		oci delete $ID-$1
	} >log.$1 2>&1 || lc_rc=$?
	echo $lc_rc >rc.$1
}

test_expect_success "$P containers created, started, exec'd into and deleted at once ($ROUNDS times)" '
	before=$(snapshot) &&
	rm -f rc.* &&
	t0=$(now_ms) &&
	round=0 &&
	while [ $round -lt $ROUNDS ]; do
		i=0 &&
		while [ $i -lt $P ]; do
			lifecycle $i &
			i=$((i + 1))
		done &&
		wait &&
		i=0 &&
		while [ $i -lt $P ]; do
			[ "$(cat rc.$i)" = 0 ] || { echo "container $i:"; cat log.$i; exit 1; }
			i=$((i + 1))
		done &&
		round=$((round + 1))
	done &&
	note "$((P * ROUNDS)) containers run in parallel, $P at a time: $(( $(now_ms) - t0 )) ms" &&
	check_nothing_left &&
	same_as "$before"
'
show_figures

test_expect_success 'of 10 creates of one id at once, exactly one wins; nothing else is left' '
	before=$(snapshot) &&
	rm -f rc.* &&
	i=0 &&
	while [ $i -lt 10 ]; do
		{ rc=0; oci create -b b $ID-one >create.$i 2>&1 || rc=$?; echo $rc >rc.$i; } &
		i=$((i + 1))
	done &&
	wait &&
	won=$(cat rc.[0-9] | grep -c "^0$") &&
	echo "winners: $won" &&
	test "$won" = 1 &&
	for i in 0 1 2 3 4 5 6 7 8 9; do
		[ "$(cat rc.$i)" = 0 ] || test_grep create.$i "^ocimin: container $ID-one already exists$" || exit 1
	done &&
	status_is $ID-one created &&
	oci start $ID-one &&
	retry 600 status_is $ID-one stopped &&
	oci delete $ID-one &&
	check_nothing_left &&
	same_as "$before"
'
show_figures

test_expect_success "$R runs one after another leave the host as they found it" '
	before=$(snapshot) &&
	{ [ -z "$OCIMIN_TEST_MEMCHECK" ] || mem0=$(memory); } &&
	files0=$(cut -f1 /proc/sys/fs/file-nr) &&
	t0=$(now_ms) &&
	i=0 &&
	while [ $i -lt $R ]; do
		oci run -b bt $ID-s || { echo "run $i failed"; exit 1; }
		i=$((i + 1))
	done &&
	note "$R runs in $(( $(now_ms) - t0 )) ms" &&
	check_nothing_left &&
	same_as "$before" &&
	if [ -n "$OCIMIN_TEST_MEMCHECK" ]; then
		mem1=$(memory) &&
		note "memory before: $mem0" && note "memory after:  $mem1" &&
		s=$(( $(mem_field "$mem1" Slab) - $(mem_field "$mem0" Slab) )) &&
		p=$(( $(mem_field "$mem1" Percpu) - $(mem_field "$mem0" Percpu) )) &&
		a=$(( $(mem_field "$mem0" MemAvailable) - $(mem_field "$mem1" MemAvailable) )) &&
		note "over $R runs: slab grew by $s KiB, per-cpu by $p KiB; MemAvailable fell by $a KiB; the host'"'"'s open files went from $files0 to $(cut -f1 /proc/sys/fs/file-nr)" &&
		# a namespace, mount, cgroup or socket kept per run is several
		# KiB of slab and per-cpu memory each: less is noise
		[ "$s" -lt $((2 * R + 8192)) ] &&
		[ "$p" -lt $((R / 2 + 2048)) ]
	fi
'
show_figures

test_done
