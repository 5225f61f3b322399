#!/bin/sh
test_description='--pidfd-socket sends a pidfd of the init or of the exec'"'"'d process, as runc 1.2 does'
. "$(dirname "$0")/lib.sh"

RECVTTY=${RECVTTY:-$TEST_DIR/recvtty}

# recv NAME ARGS...: `recvtty --pidfd ARGS` in the background ($recv_pid),
# listening on NAME.sock once this returns, its stderr in NAME.err
recv() {
	rv_name=$1
	shift
	rm -f "$rv_name.ready" &&
	{ env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --pidfd --ready "$rv_name.ready" "$@" \
		"$TRASH/$rv_name.sock" 2>"$rv_name.err" & recv_pid=$!; } &&
	wait_file "$rv_name.ready"
}

test_expect_success 'create sends a pidfd of the init ("standard"); a signal through it stops the container' '
	make_sh_bundle b "/probe fds >/shared/fds; $WAITER" &&
	recv r1 --kill 9 --kill-after kill1 &&
	oci create --pidfd-socket "$TRASH/r1.sock" -b b pidfd-c1 &&
	pid=$(state_field pidfd-c1 pid) &&
	status_is pidfd-c1 created &&
	retry 100 test -s r1.err &&
	test_grep r1.err "^recvtty: received standard: pid $pid$" &&
	touch kill1 &&
	wait "$recv_pid" &&
	test_grep r1.err "^recvtty: pid $pid exited$" &&
	retry 100 status_is pidfd-c1 stopped &&
	oci delete pidfd-c1 &&
	check_nothing_left
'

test_expect_success 'run -d sends one too, and no fd of the socket reaches the container' '
	recv r2 &&
	oci run -d --pidfd-socket "$TRASH/r2.sock" -b b pidfd-c2 &&
	wait "$recv_pid" &&
	test_grep r2.err "^recvtty: received standard: pid $(state_field pidfd-c2 pid)$" &&
	wait_file b/shared/started &&
	test_grep b/shared/fds "^fds:$" &&
	oci delete -f pidfd-c2 &&
	check_nothing_left
'

# In the foreground the process waits for /shared/go: a pidfd's fdinfo
# shows pid -1 once its process is reaped.
test_expect_success 'a foreground run with --pidfd-socket still exits with the container'"'"'s status' '
	make_sh_bundle b3 "while [ ! -e /shared/go ]; do sleep 0.05; done; exit 7" &&
	recv r3 &&
	oci_bg run --pid-file "$TRASH/r3.pid" --pidfd-socket "$TRASH/r3.sock" -b b3 pidfd-c3 &&
	wait "$recv_pid" &&
	wait_file r3.pid &&
	test_grep r3.err "^recvtty: received standard: pid $(cat r3.pid)$" &&
	touch b3/shared/go &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 7 &&
	check_nothing_left
'

test_expect_success 'exec sends a pidfd of its process ("setns"), not of the init; killing it leaves the container running' '
	make_sh_bundle b4 "$WAITER" &&
	oci run -d -b b4 pidfd-c4 &&
	wait_file b4/shared/started &&
	recv r4 --kill 9 &&
	oci exec -d --pid-file "$TRASH/e.pid" --pidfd-socket "$TRASH/r4.sock" pidfd-c4 sleep 30 &&
	wait "$recv_pid" &&
	epid=$(cat e.pid) &&
	test "$epid" != "$(state_field pidfd-c4 pid)" &&
	test_grep r4.err "^recvtty: received setns: pid $epid$" &&
	test_grep r4.err "^recvtty: pid $epid exited$" &&
	retry 100 gone "$epid" &&
	status_is pidfd-c4 running
'

test_expect_success 'a foreground exec with --pidfd-socket exits with its process'"'"'s status' '
	recv r5 &&
	oci_bg exec --pid-file "$TRASH/r5.pid" --pidfd-socket "$TRASH/r5.sock" pidfd-c4 \
		sh -c "while [ ! -e /shared/go5 ]; do sleep 0.05; done; exit 9" &&
	wait "$recv_pid" &&
	wait_file r5.pid &&
	test_grep r5.err "^recvtty: received setns: pid $(cat r5.pid)$" &&
	touch b4/shared/go5 &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 9
'

test_expect_success 'a socket no one listens on fails create and exec before anything runs' '
	test_must_fail oci create --pidfd-socket "$TRASH/nosock" -b b pidfd-c6 2>err &&
	test_grep err "^ocimin: connect to pidfd socket $TRASH/nosock: No such file or directory$" &&
	test ! -e "$ROOT/pidfd-c6" &&
	test_expect_code 255 oci exec --pidfd-socket "$TRASH/nosock" pidfd-c4 touch /shared/ran 2>err &&
	test_grep err "^ocimin: connect to pidfd socket $TRASH/nosock: " &&
	test ! -e b4/shared/ran &&
	status_is pidfd-c4 running &&
	oci delete -f pidfd-c4 &&
	check_nothing_left
'

test_expect_success 'create, run and exec --help name --pidfd-socket' '
	for c in create run exec; do
		ocimin $c --help >help || exit 1
		test_grep help "\[--pidfd-socket SOCK\]" || exit 1
	done
'

test_done
