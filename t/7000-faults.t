#!/bin/sh
test_description='ocimin killed at any step of create, start, exec or delete, a container init dying during its setup, a full or read-only state dir: state tells the truth and nothing is left'
. "$(dirname "$0")/lib.sh"

# OCIMIN_DEBUG_STOP=STEP kills ocimin at STEP (STEP/stop stops it there):
# see "For developers" in the README for the steps.

# cut_at STEP ARGS...: oci ARGS, killed at STEP (exit status 137).
cut_at() {
	ca_step=$1
	shift
	( OCIMIN_DEBUG_STOP=$ca_step && export OCIMIN_DEBUG_STOP && oci "$@" )
	ca_rc=$?
	[ "$ca_rc" -eq 137 ] || { echo "ocimin $* cut at $ca_step: exit $ca_rc, wanted 137"; return 1; }
}

# The cgroup2 mount, where a container's cgroup is /ocimin/ID by default.
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)

# cgroup_of ID: the cgroup dir state.json recorded for ID ("" if none).
cgroup_of() { sed -n 's/.*"cgroup": *"\([^"]*\)".*/\1/p' "$ROOT/$1/state.json" 2>/dev/null || :; }

# all_gone ID CGROUP: no state, process or mount of ID, and its cgroup
# dir (if it had one) removed.
all_gone() {
	check_nothing_left "$1" &&
	{ [ -z "$2" ] || test ! -e "$2" || { echo "cgroup $2 left"; return 1; }; }
}

# dead_create ID: what `state` says of a create that died: no state yet,
# or "stopped", its init (if it had one) gone; `start` refuses it.
dead_create() {
	if oci state "$1" >st 2>st.err; then
		cat st &&
		test "$(state_field "$1" status)" = stopped &&
		dc_pid=$(state_field "$1" pid) &&
		{ [ "$dc_pid" = 0 ] || retry 100 gone "$dc_pid"; }
	else
		test_grep st.err "container $1 is still being created or its create failed"
	fi &&
	test_must_fail oci start "$1" 2>/dev/null
}

# The creates stopped below, their pids in $TRASH/stopped: one that a
# failed test left stopped would hold its container's lock, and the
# delete --force of test_cleanup would wait on it; killed first.
reap_stopped() {
	for p in $(cat "$TRASH/stopped" 2>/dev/null); do
		grep -q -s -z -x -F -e "OCIMIN_TEST_MARK=$MARK" "/proc/$p/environ" &&
		say "stopped create $p left: killing" && kill -9 "$p"
	done
	rm -f "$TRASH/stopped"
}

# create_stopped STEP ID: create of bundle b as ID in the background,
# stopped by OCIMIN_DEBUG_STOP at STEP, its stderr in err; $cpid its pid,
# kept in $TRASH/stopped for reap_stopped.
create_stopped() {
	export OCIMIN_DEBUG_STOP="$1/stop" &&
	oci_bg create -b b "$2" 2>err &&
	unset OCIMIN_DEBUG_STOP &&
	cpid=$oci_pid &&
	echo "$cpid" >>"$TRASH/stopped"
}

test_expect_success 'setup: a bundle whose payload waits' '
	make_sh_bundle b "$WAITER"
'

for step in create:state-dir create:cgroup create:forked create:mounted \
	    create:synced create:pid-file; do
	test_expect_success "create killed at $step: the container is stopped, delete --force removes everything" '
		id=k-${step#create:} &&
		cut_at $step create -b b $id 2>err &&
		cg=$(cgroup_of $id) &&
		dead_create $id &&
		oci delete --force $id &&
		all_gone $id "$cg" &&
		test ! -e b/shared/started
	'
done

test_expect_success 'create killed after its last step leaves a created container, which starts' '
	cut_at create:done create -b b k-done &&
	status_is k-done created &&
	oci start k-done &&
	wait_file b/shared/started &&
	status_is k-done running &&
	cg=$(cgroup_of k-done) &&
	oci delete --force k-done &&
	all_gone k-done "$cg" &&
	rm b/shared/started
'

test_expect_success 'run killed during its create is the same: stopped, then removed' '
	cut_at create:synced run -b b k-run &&
	cg=$(cgroup_of k-run) &&
	dead_create k-run &&
	oci delete --force k-run &&
	all_gone k-run "$cg" &&
	test ! -e b/shared/started
'

test_expect_success 'a create stopped at a step is "creating": start waits, then the container runs' '
	create_stopped create:mounted k-stop &&
	retry 200 test_grep err "stopped at create:mounted, pid $cpid" &&
	status_is k-stop creating &&
	test_expect_code 255 oci exec k-stop /bin/true 2>exec.err &&
	test_grep exec.err "^ocimin: cannot exec in a container that is being created$" &&
	oci_bg start k-stop &&
	spid=$oci_pid &&
	sleep 0.3 &&
	kill -0 $spid &&
	test ! -e b/shared/started &&
	kill -CONT $cpid &&
	wait $cpid &&
	wait $spid &&
	wait_file b/shared/started &&
	status_is k-stop running &&
	cg=$(cgroup_of k-stop) &&
	oci delete --force k-stop &&
	all_gone k-stop "$cg" &&
	rm b/shared/started
'

test_expect_success 'a stopped create killed for good: stopped, and delete waits for no one' '
	create_stopped create:synced k-stop2 &&
	retry 200 test_grep err "stopped at create:synced" &&
	status_is k-stop2 creating &&
	cg=$(cgroup_of k-stop2) &&
	kill -9 $cpid &&
	{ wait $cpid || :; } &&
	dead_create k-stop2 &&
	oci delete k-stop2 &&
	all_gone k-stop2 "$cg"
'

# A create stopped for good (or hung in a hook) keeps its lock: delete,
# which cleans up after such things, must neither hang on it nor pull the
# container from under it.
test_expect_success 'delete --force waits 10 s for the lock of a stopped create, then names its holder and changes nothing' '
	create_stopped create:synced k-held &&
	retry 200 test_grep err "stopped at create:synced, pid $cpid" &&
	cg=$(cgroup_of k-held) &&
	ipid=$(state_field k-held pid) &&
	t0=$(date +%s) &&
	test_expect_code 1 oci delete --force k-held 2>del.err &&
	t1=$(date +%s) &&
	echo "delete gave up after $((t1 - t0)) s" &&
	test $((t1 - t0)) -ge 9 && test $((t1 - t0)) -le 20 &&
	test_grep del.err "^ocimin: lock $ROOT/k-held: pid $cpid \(ocimin, stopped\) holds it after 10 s; let it finish or kill it$" &&
	test "$(wc -l <del.err)" -eq 1 &&
	status_is k-held creating &&
	kill -0 $ipid &&
	{ [ -z "$cg" ] || test -d "$cg"; } &&
	kill -CONT $cpid &&
	wait $cpid &&
	status_is k-held created &&
	oci delete --force k-held &&
	all_gone k-held "$cg"
'
reap_stopped

for step in start:fifo-written start:fifo-removed; do
	test_expect_success "start killed at $step: the payload runs, state says running" '
		id=k-${step#start:} &&
		oci create -b b $id &&
		cut_at $step start $id &&
		wait_file b/shared/started &&
		retry 100 status_is $id running &&
		test_must_fail oci start $id 2>/dev/null &&
		cg=$(cgroup_of $id) &&
		oci delete --force $id &&
		all_gone $id "$cg" &&
		rm b/shared/started
	'
done

test_expect_success 'setup: a running container for exec' '
	make_sh_bundle be "$WAITER" &&
	oci create -b be k-exec &&
	oci start k-exec &&
	wait_file be/shared/started
'

for step in exec:forked exec:cgroup; do
	test_expect_success "exec killed at $step: the process never runs, the container is untouched" '
		cut_at $step exec k-exec /bin/touch /shared/ran &&
		sleep 0.1 &&
		test ! -e be/shared/ran &&
		status_is k-exec running &&
		test "$(oci exec k-exec /bin/sh -c "ps -o pid,args | grep -c [t]ouch")" = 0
	'
done

test_expect_success 'exec killed once the process runs leaves it running in the container' '
	cut_at exec:started exec k-exec /bin/sh -c "touch /shared/ran; sleep 100" &&
	wait_file be/shared/ran &&
	status_is k-exec running &&
	oci exec k-exec /bin/sh -c "ps -o args" >ps &&
	test_grep ps "sleep 100"
'

for step in exec:joined exec:setup; do
	test_expect_success "an exec'd process killed at $step is an error of exec, with the step" '
		rm -f be/shared/ran &&
		test_expect_code 255 env OCIMIN_DEBUG_STOP=$step OCIMIN_TEST_MARK=$MARK \
			"$OCIMIN" --root "$ROOT" exec k-exec /bin/touch /shared/ran 2>err &&
		test_grep err "exec: the process exited during setup \(last step $step\): killed by signal 9" &&
		test ! -e be/shared/ran &&
		status_is k-exec running
	'
done

test_expect_success 'delete --force removes the container and what exec left in it' '
	cg=$(cgroup_of k-exec) &&
	oci delete --force k-exec &&
	all_gone k-exec "$cg"
'

for step in delete:killed delete:cgroup-removed; do
	test_expect_success "delete killed at $step: stopped, and a second delete finishes" '
		id=k-${step#delete:} &&
		oci create -b b $id &&
		oci start $id &&
		wait_file b/shared/started &&
		cg=$(cgroup_of $id) &&
		cut_at $step delete --force $id &&
		status_is $id stopped &&
		oci delete $id &&
		all_gone $id "$cg" &&
		rm b/shared/started
	'
done

test_expect_success 'delete killed once the state is removed: the container is gone' '
	oci create -b b k-removed &&
	cg=$(cgroup_of k-removed) &&
	cut_at delete:state-removed delete --force k-removed &&
	test_must_fail oci state k-removed 2>/dev/null &&
	all_gone k-removed "$cg"
'

for step in init:started init:namespaces init:mounted init:pivoted init:rootfs init:ready; do
	test_expect_success "the init dying at $step: create says so, with the step, and leaves nothing" '
		id=i-${step#init:} &&
		test_must_fail env OCIMIN_DEBUG_STOP=$step OCIMIN_TEST_MARK=$MARK \
			"$OCIMIN" --root "$ROOT" create -b b $id 2>err &&
		test_grep err "^ocimin: create container: its init exited during setup \(last step $step\): (exit status 137|killed by signal 9)$" &&
		test "$(wc -l <err)" -eq 1 &&
		test_must_fail oci state $id 2>/dev/null &&
		check_nothing_left $id &&
		{ [ -z "$CG2" ] || test ! -e "$CG2/ocimin/$id"; }
	'
done

test_expect_success 'the init failing at a step is reported with its own reason' '
	make_sh_bundle bf "$WAITER" &&
	config_set bf cwd "\"/nonexistent\"" &&
	test_must_fail oci create -b bf i-fail 2>err &&
	test_grep err "^ocimin: .*cwd.*/nonexistent.*No such file or directory" &&
	check_nothing_left i-fail
'

# ---- the state dir on a full or read-only filesystem ------------------
# (check_nothing_left would see these mounts of the test's own)

# no_trace ID: no process of this file, no cgroup of ID.
no_trace() {
	retry 20 test -z "$(leftover_pids)" &&
	{ [ -z "$CG2" ] || test ! -e "$CG2/ocimin/$1" || { echo "cgroup of $1 left"; return 1; }; }
}

test_expect_success 'setup: a 1 MiB tmpfs for a state dir' '
	mkdir full &&
	mount -t tmpfs -o size=1m,mode=0700 ocimin-test-full full &&
	mkdir full/root
'

# fill_but N: the tmpfs full/ with N 4 KiB pages left free.
fill_but() {
	rm -f full/fill &&
	{ dd if=/dev/zero of=full/fill bs=4096 2>/dev/null || :; } &&
	fb_pages=$(( $(wc -c <full/fill) / 4096 - $1 )) &&
	rm full/fill &&
	dd if=/dev/zero of=full/fill bs=4096 count=$fb_pages 2>/dev/null
}

test_expect_success 'create on a full state dir fails clearly and writes nothing' '
	fill_but 0 &&
	test_must_fail ocimin --root "$TRASH/full/root" create -b b f0 2>err &&
	test_grep err "^ocimin: .*No space left on device$" &&
	test "$(ls -A full/root)" = "" &&
	no_trace f0
'

test_expect_success 'with a few pages free, create fails whole or succeeds whole' '
	ok= &&
	for n in 1 2 3 4 5 6 8; do
		fill_but $n &&
		if ocimin --root "$TRASH/full/root" create -b b f$n 2>err; then
			ok="$ok $n" &&
			ocimin --root "$TRASH/full/root" state f$n >st &&
			test_grep st "\"status\": \"created\"" &&
			ocimin --root "$TRASH/full/root" delete --force f$n || exit 1
		else
			test_grep err "No space left on device" || exit 1
		fi &&
		test "$(ls -A full/root)" = "" &&
		no_trace f$n || exit 1
	done &&
	echo "succeeded with$ok pages free" &&
	test -n "$ok" &&
	rm full/fill
'

test_expect_success 'a state dir on a read-only filesystem: create fails clearly' '
	mkdir -p ro/root &&
	mount --bind ro ro &&
	mount -o remount,bind,ro ro &&
	test_must_fail ocimin --root "$TRASH/ro/root" create -b b r1 2>err &&
	test_grep err "^ocimin: create $TRASH/ro/root/r1: Read-only file system$" &&
	no_trace r1 &&
	umount ro
'

test_expect_success 'the state dir turned read-only: delete kills, says why it cannot finish, and finishes later' '
	mount --bind ro ro &&
	ocimin --root "$TRASH/ro/root" create -b b r2 &&
	ocimin --root "$TRASH/ro/root" start r2 &&
	wait_file b/shared/started &&
	mount -o remount,bind,ro ro &&
	test_must_fail ocimin --root "$TRASH/ro/root" delete --force r2 2>err &&
	test_grep err "Read-only file system" &&
	ocimin --root "$TRASH/ro/root" state r2 >st &&
	test_grep st "\"status\": \"stopped\"" &&
	no_trace r2 &&
	mount -o remount,bind,rw ro &&
	ocimin --root "$TRASH/ro/root" delete r2 &&
	test "$(ls -A ro/root)" = "" &&
	umount ro &&
	rm b/shared/started
'

test_expect_success 'cleanup: the tmpfs' '
	umount full
'

test_done
