#!/bin/sh
test_description='pause, resume, ps, kill --all, events, update and delete work on the container'"'"'s cgroup'
. "$(dirname "$0")/lib.sh"

cgroup_tests_setup

# nprocs ID N: the container's cgroup holds exactly N processes
nprocs() { test "$(wc -l <"$CG/ocimin/$1/cgroup.procs")" = "$2"; }

# A payload that counts in /shared/count, 20 times a second, until stopped.
COUNTER='i=0
echo 0 >/shared/count
touch /shared/started
while [ ! -e /shared/stop ]; do i=$((i + 1)); echo $i >/shared/count; sleep 0.05; done'

# Three processes that stay: the init and two sleeps; kill --all ends them.
SLEEPERS='sleep 1000 &
sleep 1000 &
touch /shared/started
wait'

# no_pidns DIR: the bundle keeps the host's pid namespace
no_pidns() {
	config_set "$1" namespaces "[ { \"type\": \"mount\" }, { \"type\": \"uts\" }, { \"type\": \"ipc\" }, { \"type\": \"cgroup\" } ]"
}

# sleepers_of ID: the pids of `sleep 1000` in the container's cgroup
sleepers_of() {
	for p in $(cat "$CG/ocimin/$1/cgroup.procs"); do
		tr "\0" " " <"/proc/$p/cmdline" 2>/dev/null | grep -q "^sleep 1000 $" && echo "$p"
	done
}
# n_sleepers ID N: that many
n_sleepers() { test "$(sleepers_of "$1" | wc -l)" = "$2"; }
# empty_cgroup ID: no process left in it
empty_cgroup() { test -z "$(cat "$CG/ocimin/$1/cgroup.procs")"; }
# counts_past N: the counter payload is past N
counts_past() { test "$(count_now)" -gt "$1"; }
# count_now: the counter; the payload truncates the file before each
# write, so an empty read is retried (for up to a second: frozen
# between the two, it stays empty)
count_now() {
	cn_i=0
	while cn=$(cat b/shared/count) && [ -z "$cn" ] && [ $cn_i -lt 100 ]; do
		cn_i=$((cn_i + 1))
		sleep 0.01
	done
	echo "$cn"
}
# n_stats FILE N: FILE has at least N stats lines
n_stats() { test "$(grep -c "^{\"type\":\"stats\"," "$1")" -ge "$2"; }

test_skip_unless have_cgroup2 'a cgroup2 filesystem is mounted'

test_expect_success 'pause freezes every process: status "paused", nothing runs' '
	make_sh_bundle b "$COUNTER" &&
	oci create -b b cp1 &&
	oci start cp1 &&
	wait_file b/shared/started &&
	oci pause cp1 &&
	status_is cp1 paused &&
	test_grep "$CG/ocimin/cp1/cgroup.events" "^frozen 1$" &&
	oci list >list &&
	test_grep list "^cp1 +[0-9]+ +paused " &&
	n=$(count_now) &&
	sleep 0.3 &&
	test "$(count_now)" = "$n"
'

test_expect_success 'pause of a paused container and resume of a running one fail' '
	test_must_fail oci pause cp1 2>err &&
	test_grep err "^ocimin: cannot pause container cp1: it is paused$" &&
	oci resume cp1 &&
	status_is cp1 running &&
	test_must_fail oci resume cp1 2>err &&
	test_grep err "^ocimin: cannot resume container cp1: it is running$"
'

test_expect_success 'resume thaws it: the payload runs on' '
	test_grep "$CG/ocimin/cp1/cgroup.events" "^frozen 0$" &&
	n=$(count_now) &&
	retry 100 counts_past "$n"
'

test_expect_success 'delete --force kills a paused container and removes its cgroup' '
	oci pause cp1 &&
	oci delete --force cp1 &&
	nothing_of cp1
'

test_expect_success 'ps lists every process of the cgroup, as a table and as JSON' '
	make_sh_bundle b2 "$SLEEPERS" &&
	oci create -b b2 cp2 &&
	oci start cp2 &&
	wait_file b2/shared/started &&
	retry 100 nprocs cp2 3 &&
	retry 100 n_sleepers cp2 2 &&
	pid=$(state_field cp2 pid) &&
	oci ps cp2 >table &&
	test_grep table "^PID +CMD$" &&
	test_grep table "^$pid +/bin/sh /payload$" &&
	test "$(grep -c " sleep 1000$" table)" = 2 &&
	test "$(wc -l <table)" = 4 &&
	oci ps --format json cp2 >json &&
	test_grep json "^\[[0-9]+(,[0-9]+)*\]$" &&
	for p in $(cat "$CG/ocimin/cp2/cgroup.procs"); do
		test_grep json "[[,]$p[],]" || exit 1
	done &&
	test "$(tr , "\n" <json | wc -l)" = 3
'

test_expect_success 'ps refuses an unknown format and ps options' '
	test_expect_code 2 oci ps --format yaml cp2 2>err &&
	test_grep err "^ocimin: ps: --format: expected table or json" &&
	test_expect_code 2 oci ps cp2 -ef 2>err &&
	test_grep err "^ocimin: ps: "
'

test_expect_success 'events --stats prints one stats line shaped like runc'"'"'s' '
	oci events --stats cp2 >ev &&
	test "$(wc -l <ev)" = 1 &&
	test_grep ev "^\{\"type\":\"stats\",\"id\":\"cp2\",\"data\":\{\"cpu\":\{\"usage\":\{.*\"kernel\":[0-9]+,\"user\":[0-9]+\}.*\},\"memory\":\{.*\},\"pids\":\{\"current\":3[,}].*\}\}$"
'

test_expect_success 'kill --all signals every process of the cgroup' '
	n_sleepers cp2 2 &&
	oci kill --all cp2 TERM &&
	retry 100 n_sleepers cp2 0 &&
	retry 100 status_is cp2 stopped &&
	oci delete cp2 &&
	nothing_of cp2
'

test_expect_success 'kill --all KILL empties the cgroup (cgroup.kill)' '
	make_sh_bundle b3 "$SLEEPERS" &&
	no_pidns b3 &&
	oci run -d -b b3 cp3 &&
	wait_file b3/shared/started &&
	retry 100 n_sleepers cp3 2 &&
	oci kill --all cp3 KILL &&
	retry 100 empty_cgroup cp3 &&
	retry 100 status_is cp3 stopped &&
	oci delete cp3 &&
	nothing_of cp3
'

test_expect_success 'delete of a stopped container kills what it left without a pid namespace' '
	make_sh_bundle b4 "sleep 1000 &
touch /shared/started" &&
	no_pidns b4 &&
	oci run -d -b b4 cp4 &&
	wait_file b4/shared/started &&
	retry 100 status_is cp4 stopped &&
	left=$(sleepers_of cp4) &&
	test -n "$left" &&
	oci delete cp4 &&
	gone "$left" &&
	nothing_of cp4
'

test_expect_success 'events streams stats every interval and ends when the container stops' '
	make_sh_bundle b5 "$WAITER" &&
	oci run -d -b b5 cp5 &&
	wait_file b5/shared/started &&
	oci_bg events --interval 100ms cp5 >ev &&
	retry 100 n_stats ev 2 &&
	test_grep ev "^\{\"type\":\"stats\",\"id\":\"cp5\"," &&
	touch b5/shared/stop &&
	wait $oci_pid &&
	oci delete cp5 &&
	nothing_of cp5
'

test_expect_success 'events and update refuse bad arguments and stopped containers' '
	test_expect_code 2 oci events --interval 5 cpx 2>err &&
	test_grep err "^ocimin: events: --interval: expected a duration" &&
	test_expect_code 2 oci update --memory 12q cpx 2>err &&
	test_grep err "^ocimin: update: --memory: invalid value \"12q\"" &&
	make_sh_bundle b6 "touch /shared/started" &&
	oci run -d -b b6 cp6 &&
	retry 100 status_is cp6 stopped &&
	test_must_fail oci events --stats cp6 2>err &&
	test_grep err "^ocimin: events cp6: the container is stopped$" &&
	test_must_fail oci update --pids-limit 10 cp6 2>err &&
	test_grep err "^ocimin: cannot update container cp6: it is stopped$" &&
	test_must_fail oci pause cp6 2>err &&
	test_grep err "^ocimin: cannot pause container cp6: it is stopped$" &&
	oci delete cp6 &&
	nothing_of cp6
'

test_expect_success 'update writes a limit, or names the controller it lacks' '
	make_sh_bundle b7 "$WAITER" &&
	oci run -d -b b7 cp7 &&
	wait_file b7/shared/started &&
	if cg_has pids; then
		oci update --pids-limit 42 cp7 &&
		test "$(cat "$CG/ocimin/cp7/pids.max")" = 42 &&
		echo "{ \"pids\": { \"limit\": -1 } }" | oci update --resources - cp7 &&
		test "$(cat "$CG/ocimin/cp7/pids.max")" = max
	else
		test_must_fail oci update --pids-limit 42 cp7 2>err &&
		test_grep err "^ocimin: update: linux.resources.pids: the pids controller is not available in cgroup v2 at $CG/ocimin/cp7 \(.+\)$" &&
		echo "{ \"pids\": { \"limit\": 42 } }" >res.json &&
		test_must_fail oci update -r res.json cp7 2>err &&
		test_grep err "^ocimin: res.json: linux.resources.pids: the pids controller is not available"
	fi &&
	echo "{ \"pids\": { \"limit\": \"x\" } }" | test_must_fail oci update --resources - cp7 2>err &&
	test_grep err "^ocimin: /dev/stdin: pids.limit: expected an integer" &&
	touch b7/shared/stop &&
	retry 100 status_is cp7 stopped &&
	oci delete cp7 &&
	nothing_of cp7
'

test_done
