#!/bin/sh
test_description='process.execCPUAffinity: exec runs on "initial" until the process is in the container'"'"'s cgroup, the process then on "final"; the init is untouched; bad lists fail with their JSON path'
. "$(dirname "$0")/lib.sh"

# cpus_of PID: the CPUs PID may run on, as the kernel lists them ("0-1").
cpus_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"; }

# What this test may run on; FIRST and LAST of it (both are needed, the
# test VM has two CPUs).
ALL=$(cpus_of $$)
FIRST=${ALL%%[-,]*}
LAST=${ALL##*[-,]}
two_cpus() { [ "$FIRST" != "$LAST" ]; }

# The cgroup2 mount, where a container's cgroup is /ocimin/ID by default.
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)

# proc_json FILE AFFINITY_JSON: a process.json that prints the CPUs the
# process may run on, with process.execCPUAffinity AFFINITY_JSON.
proc_json() {
	cat >"$1" <<JSON
{
	"user": { "uid": 0, "gid": 0 },
	"args": [ "/bin/sed", "-n", "s/^Cpus_allowed_list:[[:space:]]*//p", "/proc/self/status" ],
	"env": [ "PATH=/bin", "OCIMIN_TEST_MARK=$MARK" ],
	"cwd": "/",
	"execCPUAffinity": $2
}
JSON
}

test_expect_success 'setup: a running container without execCPUAffinity' '
	echo "CPUs: $ALL" &&
	make_sh_bundle b "$WAITER" &&
	oci create -b b aff &&
	oci start aff &&
	wait_file b/shared/started
'

test_expect_success 'without execCPUAffinity an exec'"'"'d process keeps the CPUs it inherits' '
	oci exec aff /bin/sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status >out &&
	test "$(cat out)" = "$ALL"
'

test_expect_success '"final": the process runs on those CPUs only' '
	proc_json p.json "{ \"final\": \"$FIRST\" }" &&
	oci exec --process p.json aff >out &&
	test "$(cat out)" = "$FIRST"
'

test_expect_success 'empty lists are as absent: nothing changes' '
	proc_json p.json "{ \"initial\": \"\", \"final\": \"\" }" &&
	oci exec --process p.json aff >out &&
	test "$(cat out)" = "$ALL"
'

test_expect_success 'CPUs that are not online: exec fails saying so, and nothing runs' '
	cat >p.json <<-JSON &&
	{ "user": { "uid": 0, "gid": 0 }, "args": [ "/bin/touch", "/shared/ran" ], "cwd": "/",
	  "env": [ "OCIMIN_TEST_MARK=$MARK" ], "execCPUAffinity": { "final": "1000" } }
	JSON
	test_expect_code 255 oci exec --process p.json aff 2>err &&
	test_grep err "^ocimin: exec: set CPU affinity to 1000 \(process\.execCPUAffinity\.final\): none of these CPUs is online and allowed by the cpuset$" &&
	test "$(wc -l <err)" -eq 1 &&
	sed -i "s/\"final\": \"1000\"/\"initial\": \"1000\"/" p.json &&
	test_expect_code 255 oci exec --process p.json aff 2>err &&
	test_grep err "^ocimin: exec: set CPU affinity to 1000 \(process\.execCPUAffinity\.initial\): none of these CPUs is online" &&
	test ! -e b/shared/ran &&
	status_is aff running
'

test_expect_success 'a bad list fails create with the JSON path, and leaves nothing' '
	make_bundle bad "[\"/bin/true\"]" &&
	for l in x 1-0 0, ,0 -1 0- " 0" 0-1-2 1024 0-1024 99999999999999999999999 0:1 "0 1"; do
		case $l in
		1-0) why="expected ranges that go up" ;;
		1024|0-1024|9*) why="expected CPUs numbered up to 1023" ;;
		*) why="expected a list of CPUs such as \"0-3,7\"" ;;
		esac &&
		config_set bad terminal "false, \"execCPUAffinity\": { \"initial\": \"0\", \"final\": \"$l\" }" &&
		test_expect_code 1 oci create -b bad badaff 2>err &&
		test_grep err "^ocimin: $TRASH/bad/config\.json: process\.execCPUAffinity\.final: $why, got \"$l\"$" &&
		test "$(wc -l <err)" -eq 1 &&
		test ! -e "$ROOT/badaff" &&
		{ [ -z "$CG2" ] || test ! -e "$CG2/ocimin/badaff"; } || exit 1
	done
'

test_expect_success 'a bad list in a process.json fails exec with its path' '
	proc_json p.json "{ \"initial\": \"0-\" }" &&
	test_expect_code 255 oci exec --process p.json aff 2>err &&
	test_grep err "^ocimin: p\.json: execCPUAffinity\.initial: expected a list of CPUs such as \"0-3,7\", got \"0-\"$" &&
	status_is aff running
'

test_expect_success 'cleanup' '
	oci delete --force aff
'

test_skip_unless two_cpus 'needs two CPUs'

test_expect_success 'setup: a running container' '
	oci create -b b aff &&
	oci start aff
'

test_expect_success '"initial": ocimin and the forked process run on it until the process is in the cgroup, then on every CPU' '
	proc_json p.json "{ \"initial\": \"$LAST\" }" &&
	export OCIMIN_DEBUG_STOP=exec:forked/stop &&
	oci_bg exec --process p.json aff >out 2>err &&
	unset OCIMIN_DEBUG_STOP &&
	opid=$oci_pid &&
	retry 200 test_grep err "stopped at exec:forked, pid $opid" &&
	child=$(cat /proc/$opid/task/$opid/children) &&
	test -n "$child" &&
	test "$(cpus_of $opid)" = "$LAST" &&
	test "$(cpus_of $child)" = "$LAST" &&
	kill -CONT $opid &&
	wait $opid &&
	test "$(cat out)" = "$ALL"
'

test_expect_success '"initial" and "final": the process ends on "final"' '
	proc_json p.json "{ \"initial\": \"$LAST\", \"final\": \"$FIRST\" }" &&
	oci exec --process p.json aff >out &&
	test "$(cat out)" = "$FIRST" &&
	proc_json p.json "{ \"initial\": \"$FIRST\", \"final\": \"$FIRST-$LAST\" }" &&
	oci exec --process p.json aff >out &&
	test "$(cat out)" = "$ALL" &&
	oci delete --force aff
'

test_expect_success 'a container'"'"'s own execCPUAffinity is for what is exec'"'"'d in it, not for its init' '
	make_sh_bundle bc "$WAITER" &&
	config_set bc terminal "false, \"execCPUAffinity\": { \"initial\": \"$LAST\", \"final\": \"$FIRST\" }" &&
	oci create -b bc aff2 &&
	oci start aff2 &&
	wait_file bc/shared/started &&
	test "$(cpus_of $(state_field aff2 pid))" = "$ALL" &&
	oci exec aff2 /bin/sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status >out &&
	test "$(cat out)" = "$FIRST" &&
	oci delete --force aff2
'

test_done
