#!/bin/sh
test_description='create, start, state, kill and delete follow the OCI lifecycle'
. "$(dirname "$0")/lib.sh"

test_expect_success 'create leaves the container "created": its init lives, the payload has not run' '
	make_sh_bundle b "$WAITER" &&
	oci create -b b c1 &&
	status_is c1 created &&
	pid=$(state_field c1 pid) &&
	test "$pid" -gt 1 &&
	kill -0 "$pid" &&
	sleep 0.2 &&
	test ! -e b/shared/started &&
	status_is c1 created
'

test_expect_success 'start runs the payload as the state pid and the container is "running"' '
	pid=$(state_field c1 pid) &&
	oci start c1 &&
	wait_file b/shared/started &&
	status_is c1 running &&
	test "$(state_field c1 pid)" = "$pid" &&
	tr "\0" " " <"/proc/$pid/cmdline" >cmdline &&
	test_grep cmdline "^/bin/sh /payload $"
'

test_expect_success 'start of a running container fails and changes nothing' '
	test_must_fail oci start c1 2>err &&
	test_grep err "^ocimin: .*c1" &&
	status_is c1 running
'

test_expect_success 'delete of a running container without --force fails' '
	test_must_fail oci delete c1 2>err &&
	test_grep err "^ocimin: .*c1" &&
	status_is c1 running
'

test_expect_success 'when the payload exits the container is "stopped"' '
	touch b/shared/stop &&
	retry 100 status_is c1 stopped
'

test_expect_success 'start and kill of a stopped container fail' '
	test_must_fail oci start c1 2>err &&
	test_grep err "^ocimin: .*c1" &&
	test_must_fail oci kill c1 KILL 2>err &&
	test_grep err "^ocimin: .*c1" &&
	status_is c1 stopped
'

test_expect_success 'delete of a stopped container removes it' '
	oci delete c1 &&
	check_nothing_left c1 &&
	test_must_fail oci state c1 2>err &&
	test_grep err "^ocimin: .*c1"
'

test_expect_success 'delete --force of a stopped container removes it; a second delete fails' '
	make_bundle b1b "[\"/bin/true\"]" &&
	oci run --keep -b b1b c1b &&
	status_is c1b stopped &&
	oci delete --force c1b &&
	check_nothing_left c1b &&
	test_must_fail oci delete c1b 2>err &&
	test_grep err "^ocimin: .*c1b"
'

test_expect_success 'state, start, kill and delete of a missing container fail' '
	test_must_fail oci state nosuch 2>err &&
	test_grep err "^ocimin: .*nosuch" &&
	test_must_fail oci start nosuch &&
	test_must_fail oci kill nosuch KILL &&
	test_must_fail oci delete nosuch &&
	test_must_fail oci delete --force nosuch &&
	check_nothing_left
'

test_expect_success 'state prints the OCI state with annotations from config.json' '
	make_sh_bundle b2 "$WAITER" "" "\"annotations\": { \"org.test.one\": \"1\", \"two\": \"zwei\" }" &&
	oci create -b b2 --pid-file "$TRASH/c2.pid" c2 &&
	oci state c2 >st &&
	tr -d "\n" <st >st1 &&
	test_grep st1 "^[[:space:]]*\{.*\}[[:space:]]*$" &&
	test_grep st1 "\"ociVersion\": *\"1\.[0-9]+\.[0-9]+\"" &&
	test_grep st1 "\"id\": *\"c2\"" &&
	test_grep st1 "\"status\": *\"created\"" &&
	test_grep st1 "\"pid\": *[1-9][0-9]*" &&
	test_grep st1 "\"bundle\": *\"$TRASH/b2\"" &&
	test_grep st1 "\"rootfs\": *\"$TRASH/b2/rootfs\"" &&
	test_grep st1 "\"created\": *\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})\"" &&
	test_grep st1 "\"owner\": *" &&
	test_grep st1 "\"annotations\": *\{[^}]*\"org.test.one\": *\"1\"" &&
	test_grep st1 "\"annotations\": *\{[^}]*\"two\": *\"zwei\""
'

test_expect_success 'the pid file holds the pid that state reports' '
	test "$(cat c2.pid)" = "$(state_field c2 pid)"
'

test_expect_success 'a relative pid file is written relative to the caller' '
	mkdir -p sub &&
	(cd sub && oci create -b ../b2 --pid-file rel.pid c3) &&
	test "$(cat sub/rel.pid)" = "$(state_field c3 pid)" &&
	oci delete --force c3 &&
	oci delete --force c2 &&
	check_nothing_left
'

test_expect_success 'create without --bundle uses the current directory' '
	make_sh_bundle b4 "$WAITER" &&
	(cd b4 && oci create c4) &&
	test "$(state_field c4 bundle)" = "$TRASH/b4" &&
	oci delete --force c4 &&
	check_nothing_left c4
'

test_expect_success 'delete --force of a created container kills it before the payload runs' '
	make_sh_bundle b5 "$WAITER" &&
	oci create -b b5 c5 &&
	pid=$(state_field c5 pid) &&
	oci delete --force c5 &&
	retry 100 gone "$pid" &&
	test ! -e b5/shared/started &&
	check_nothing_left c5
'

test_expect_success 'delete -f of a running container kills it' '
	make_sh_bundle b6 "$WAITER" &&
	oci create -b b6 c6 &&
	oci start c6 &&
	wait_file b6/shared/started &&
	oci delete -f c6 &&
	check_nothing_left c6
'

test_expect_success 'kill of a created container stops it without running the payload' '
	make_sh_bundle b7 "$WAITER" &&
	oci create -b b7 c7 &&
	oci kill c7 KILL &&
	retry 100 status_is c7 stopped &&
	test ! -e b7/shared/started &&
	oci delete c7 &&
	check_nothing_left c7
'

SIGNALLED='for s in HUP USR1 USR2; do trap "echo $s >>/shared/got" $s; done
trap "echo TERM >>/shared/got; exit 0" TERM
touch /shared/started
while :; do sleep 0.05; done'

test_expect_success 'kill sends signals by name, with or without SIG, and by number' '
	make_sh_bundle b8 "$SIGNALLED" &&
	oci create -b b8 c8 &&
	oci start c8 &&
	wait_file b8/shared/started &&
	oci kill c8 USR1 &&
	retry 100 grep -qx USR1 b8/shared/got &&
	oci kill c8 SIGUSR2 &&
	retry 100 grep -qx USR2 b8/shared/got &&
	oci kill c8 1 &&
	retry 100 grep -qx HUP b8/shared/got &&
	status_is c8 running
'

test_expect_success 'kill of an unknown signal fails and sends nothing' '
	test_must_fail oci kill c8 NOSUCHSIG 2>err &&
	test_grep err "^ocimin: .*NOSUCHSIG" &&
	test_must_fail oci kill c8 SIGNOSUCH &&
	test_must_fail oci kill c8 99999 &&
	sleep 0.1 &&
	status_is c8 running &&
	test "$(wc -l <b8/shared/got)" -eq 3
'

test_expect_success 'kill without a signal sends TERM' '
	oci kill c8 &&
	retry 100 grep -qx TERM b8/shared/got &&
	retry 100 status_is c8 stopped &&
	oci delete c8 &&
	check_nothing_left c8
'

test_expect_success 'kill --all reaches every process of the container, kill only its init' '
	make_sh_bundle b9 "(trap \"touch /shared/child-got-term; exit 0\" TERM
touch /shared/child-ready
while :; do sleep 0.05; done) &
$WAITER" &&
	oci create -b b9 c9 &&
	oci start c9 &&
	wait_file b9/shared/started &&
	wait_file b9/shared/child-ready &&
	oci kill c9 TERM &&
	sleep 0.3 &&
	test ! -e b9/shared/child-got-term &&
	status_is c9 running &&
	oci kill --all c9 TERM &&
	wait_file b9/shared/child-got-term &&
	oci kill -a c9 KILL &&
	retry 100 status_is c9 stopped &&
	oci delete c9 &&
	check_nothing_left c9
'

test_expect_success 'an init killed behind ocimin'"'"'s back shows "stopped"' '
	make_sh_bundle b10 "$WAITER" &&
	oci create -b b10 c10 &&
	kill -9 "$(state_field c10 pid)" &&
	retry 100 status_is c10 stopped &&
	test_must_fail oci start c10 &&
	oci delete c10 &&
	check_nothing_left c10 &&
	oci create -b b10 c10 &&
	oci start c10 &&
	wait_file b10/shared/started &&
	kill -9 "$(state_field c10 pid)" &&
	retry 100 status_is c10 stopped &&
	test_must_fail oci kill c10 KILL &&
	oci delete c10 &&
	check_nothing_left c10
'

test_expect_success 'a process that reuses a stopped container'"'"'s pid is not the container' '
	make_sh_bundle b11 "$WAITER" &&
	oci create -b b11 c11 &&
	pid=$(state_field c11 pid) &&
	kill -9 "$pid" &&
	retry 100 status_is c11 stopped &&
	n=0 && p= &&
	while [ "$n" -lt 200 ]; do
		echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 30 &
		p=$!
		[ "$p" = "$pid" ] && break
		kill "$p" && n=$((n + 1)) && sleep 0.01
	done &&
	test "$p" = "$pid" &&
	status_is c11 stopped &&
	test_must_fail oci kill c11 KILL &&
	kill -0 "$p" &&
	oci delete c11 &&
	kill -0 "$p" &&
	kill "$p" &&
	check_nothing_left c11
'

test_expect_success 'a second create with the same id fails and leaves the first alone' '
	make_sh_bundle b12 "$WAITER" &&
	make_sh_bundle b13 "$WAITER" &&
	oci create -b b12 same &&
	pid=$(state_field same pid) &&
	test_must_fail oci create -b b13 same 2>err &&
	test_grep err "^ocimin: .*already exists" &&
	test_must_fail oci run -b b13 same 2>err &&
	test_grep err "^ocimin: .*already exists" &&
	status_is same created &&
	test "$(state_field same pid)" = "$pid" &&
	test "$(state_field same bundle)" = "$TRASH/b12" &&
	oci delete --force same &&
	check_nothing_left
'

test_expect_success 'of two creates racing for one id, exactly one wins' '
	oci_bg create -b b12 race 2>err1 && p1=$oci_pid &&
	oci_bg create -b b13 race 2>err2 && p2=$oci_pid &&
	rc1=0 && { wait "$p1" || rc1=$?; } &&
	rc2=0 && { wait "$p2" || rc2=$?; } &&
	echo "rc1=$rc1 rc2=$rc2" &&
	{ { [ "$rc1" = 0 ] && [ "$rc2" != 0 ] && test_grep err2 "already exists"; } ||
	  { [ "$rc2" = 0 ] && [ "$rc1" != 0 ] && test_grep err1 "already exists"; }; } &&
	status_is race created &&
	oci delete --force race &&
	check_nothing_left
'

test_expect_success 'unsafe ids are refused and create nothing' '
	make_sh_bundle b14 "$WAITER" &&
	for id in "a/b" ".." "." "" "a b" "../escape" "x/../../escape" "/abs" "tab	x" "nl
x"; do
		test_must_fail oci create -b b14 "$id" 2>err &&
		test_grep err "^ocimin: " || { echo "id <$id> accepted"; exit 1; }
	done &&
	test ! -e escape &&
	test ! -e "$ROOT/a" &&
	check_nothing_left &&
	test ! -e b14/shared/started
'

test_expect_success 'an id of letters, digits and _+-. is accepted' '
	oci create -b b14 "Az09_+-.x" &&
	status_is "Az09_+-.x" created &&
	oci delete --force "Az09_+-.x" &&
	check_nothing_left
'

test_expect_success 'the container'"'"'s stdio is the one create was given' '
	make_sh_bundle b15 "echo to-stdout; echo to-stderr >&2; touch /shared/started" &&
	oci create -b b15 c15 >out 2>errout &&
	oci start c15 &&
	wait_file b15/shared/started &&
	retry 100 status_is c15 stopped &&
	test_grep out "^to-stdout$" &&
	test_grep errout "^to-stderr$" &&
	oci delete c15 &&
	check_nothing_left
'

test_expect_success 'create with a missing bundle fails and leaves nothing' '
	test_must_fail oci create -b "$TRASH/nowhere" c16 2>err &&
	test_grep err "^ocimin: .*nowhere" &&
	check_nothing_left
'

test_done
