#!/bin/sh
test_description='run creates, starts, waits and deletes, with the container'"'"'s status and stdio'
. "$(dirname "$0")/lib.sh"

test_expect_success 'run exits with the container'"'"'s exit status' '
	make_bundle b "[\"/bin/sh\", \"-c\", \"exit \$0\", \"0\"]" &&
	for n in 0 1 42 255; do
		config_set b args "[\"/bin/sh\", \"-c\", \"exit \$0\", \"$n\"]" &&
		test_expect_code "$n" oci run -b b r1 || exit 1
	done &&
	check_nothing_left
'

test_expect_success 'run exits 128+N when the container is killed by signal N' '
	make_sh_bundle b2 "$WAITER" &&
	oci_bg run -b b2 r2 &&
	wait_file b2/shared/started &&
	oci kill r2 KILL &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 137 &&
	check_nothing_left
'

test_expect_success 'without a pid namespace a payload that kills itself gives 128+N too' '
	make_bundle b3 "[\"/bin/sh\", \"-c\", \"kill -TERM \$\$; sleep 5\"]" &&
	config_set b3 namespaces "[ { \"type\": \"mount\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"network\" } ]" &&
	test_expect_code 143 oci run -b b3 r3 &&
	check_nothing_left
'

test_expect_success 'the container reads the caller'"'"'s stdin and writes its stdout and stderr' '
	make_bundle b4 "[\"/bin/sh\", \"-c\", \"read line; echo out:\$line; echo err:\$line >&2\"]" &&
	echo hello | oci run -b b4 r4 >out 2>err &&
	echo out:hello >expect &&
	test_cmp expect out &&
	echo err:hello >expect &&
	test_cmp expect err &&
	check_nothing_left
'

test_expect_success 'a large output goes through whole' '
	make_bundle b5 "[\"/bin/seq\", \"100000\"]" &&
	oci run -b b5 r5 >out &&
	test "$(wc -l <out)" -eq 100000 &&
	test "$(tail -n 1 out)" = 100000 &&
	check_nothing_left
'

test_expect_success 'run forwards signals to the container' '
	make_sh_bundle b6 "trap \"echo got-term; exit 7\" TERM
trap \"echo got-usr1\" USR1
touch /shared/started
while :; do sleep 0.05; done" &&
	oci_bg run -b b6 r6 >out &&
	wait_file b6/shared/started &&
	kill -USR1 "$oci_pid" &&
	retry 100 grep -q got-usr1 out &&
	kill -TERM "$oci_pid" &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 7 &&
	test_grep out "^got-term$" &&
	check_nothing_left
'

test_expect_success 'run returns when the payload exits, taking its children with it' '
	make_bundle b7 "[\"/bin/sh\", \"-c\", \"sleep 60 & exit 0\"]" &&
	t0=$(date +%s) &&
	oci run -b b7 r7 &&
	test $(($(date +%s) - t0)) -lt 30 &&
	check_nothing_left
'

test_expect_success 'run --detach returns at once and leaves the container running' '
	make_sh_bundle b8 "$WAITER
echo bye" &&
	oci run --detach -b b8 --pid-file "$TRASH/r8.pid" r8 >out &&
	wait_file b8/shared/started &&
	status_is r8 running &&
	test "$(cat r8.pid)" = "$(state_field r8 pid)" &&
	touch b8/shared/stop &&
	retry 100 status_is r8 stopped &&
	test_grep out "^bye$" &&
	oci delete r8 &&
	check_nothing_left
'

test_expect_success 'run -d is --detach' '
	make_sh_bundle b9 "$WAITER" &&
	oci run -d -b b9 r9 &&
	wait_file b9/shared/started &&
	status_is r9 running &&
	oci delete --force r9 &&
	check_nothing_left
'

test_expect_success 'run --keep leaves the stopped container for delete' '
	make_bundle b10 "[\"/bin/true\"]" &&
	oci run --keep -b b10 r10 &&
	status_is r10 stopped &&
	oci delete r10 &&
	check_nothing_left
'

test_expect_success 'run --pid-file writes the container'"'"'s pid' '
	make_bundle b11 "[\"/probe\", \"pid\"]" &&
	oci run --keep --pid-file "$TRASH/r11.pid" -b b11 r11 >out &&
	test_grep out "^pid: 1$" &&
	test -s r11.pid &&
	test "$(cat r11.pid)" -gt 1 &&
	oci delete r11 &&
	check_nothing_left
'

test_expect_success 'run of a broken bundle fails, says why and leaves nothing' '
	make_bundle b12 "[\"/no/such/program\"]" &&
	test_must_fail oci run -b b12 r12 2>err &&
	test_grep err "^ocimin: .*/no/such/program" &&
	check_nothing_left
'

test_expect_success 'run of an id in use fails and leaves that container alone' '
	make_sh_bundle b13 "$WAITER" &&
	oci create -b b13 r13 &&
	test_must_fail oci run -b b13 r13 2>err &&
	test_grep err "already exists" &&
	status_is r13 created &&
	oci delete --force r13 &&
	check_nothing_left
'

test_done
