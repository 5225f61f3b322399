#!/bin/sh
test_description='old kernels: fallbacks where a newer syscall or file is missing, errors naming the version where none exists'
# This file also runs other files of the suite under the old-kernel
# wrapper: it gets their time as well as its own.
OCIMIN_TEST_TIMEOUT=$((${OCIMIN_TEST_TIMEOUT:-120} * 3))
export OCIMIN_TEST_TIMEOUT
. "$(dirname "$0")/lib.sh"

# Every syscall newer than Linux 4.14 that ocimin may call fails with
# ENOSYS under t/enosys (a seccomp filter), as on 4.14; ocimin runs on.
NEW_SYSCALLS=clone3,openat2,pidfd_open,pidfd_send_signal,pidfd_getfd,close_range,mount_setattr,open_tree,move_mount,fsopen,fsmount,fsconfig,fspick
printf '#!/bin/sh\nexec "%s" %s -- "%s" "$@"\n' "$TEST_DIR/enosys" "$NEW_SYSCALLS" "$OCIMIN" >"$TRASH/old-kernel"
chmod +x "$TRASH/old-kernel"
OCIMIN=$TRASH/old-kernel

test_expect_success 'the wrapper hides the new syscalls (ocimin check says so)' '
	ocimin check >out &&
	for s in clone3 openat2 pidfd_open pidfd_send_signal close_range open_tree fsopen mount_setattr; do
		test_grep out "^$s +no +missing \(Linux " || exit 1
	done
'

ESC=ocimin-escape-$$
test_expect_success 'without openat2: a destination through a symlink out of the rootfs stays in it' '
	make_bundle b1 "[\"/bin/true\"]" &&
	ln -s / b1/rootfs/evil &&
	ln -s ../../../../../../../../.. b1/rootfs/up &&
	mkdir -p b1/rootfs/a/b && ln -s ../../evil/x b1/rootfs/a/b/c &&
	add_mounts b1 "{ \"destination\": \"/evil/$ESC\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" },
		{ \"destination\": \"/up/$ESC-2\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" },
		{ \"destination\": \"/a/b/c/d\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }" &&
	oci run -b b1 f1 &&
	test ! -e "/$ESC" && test ! -e "/$ESC-2" && test ! -e /x/d &&
	test -d "b1/rootfs/$ESC" && test -d "b1/rootfs/$ESC-2" && test -d b1/rootfs/x/d &&
	check_nothing_left
'

test_expect_success 'without openat2: sysctl is written, a name with .. refused' '
	make_bundle b2 "[\"/bin/cat\", \"/proc/sys/kernel/msgmax\"]" \
		"\"sysctl\": { \"kernel.msgmax\": \"12345\" }" &&
	oci run -b b2 f2 >out &&
	echo 12345 >expect && test_cmp expect out &&
	make_bundle b3 "[\"/bin/true\"]" "\"sysctl\": { \"kernel/../kernel/msgmax\": \"1\" }" &&
	test_must_fail oci run -b b3 f3 2>err &&
	test_grep err "^ocimin: .*kernel/\.\./kernel/msgmax" &&
	check_nothing_left
'

test_expect_success 'without pidfds: exec joins the container, kill signals it' '
	make_sh_bundle b4 "$WAITER" &&
	oci create -b b4 f4 &&
	oci start f4 &&
	wait_file b4/shared/started &&
	oci exec f4 hostname >out &&
	echo ocimin-test >expect && test_cmp expect out &&
	oci exec f4 readlink /proc/self/ns/pid >pidns &&
	test "$(cat pidns)" = "$(readlink /proc/$(state_field f4 pid)/ns/pid)" &&
	oci kill f4 KILL &&
	retry 100 status_is f4 stopped &&
	oci delete f4 &&
	check_nothing_left
'

test_expect_success 'without mount_setattr: r* options and idmapped mounts fail naming Linux 5.12' '
	mkdir -p src &&
	make_bundle b5 "[\"/bin/true\"]" &&
	add_mounts b5 "{ \"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$TRASH/src\", \"options\": [ \"rbind\", \"rro\" ] }" &&
	test_must_fail oci run -b b5 f5 2>err &&
	test_grep err "^ocimin: .*/m: .*Linux 5\.12" &&
	make_bundle b6 "[\"/bin/true\"]" &&
	add_mounts b6 "{ \"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$TRASH/src\", \"options\": [ \"bind\", \"idmap\" ],
		\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 10 } ],
		\"gidMappings\": [ { \"containerID\": 0, \"hostID\": 1000, \"size\": 10 } ] }" &&
	test_must_fail oci run -b b6 f6 2>err &&
	test_grep err "^ocimin: .*idmapped mounts need Linux 5\.12" &&
	check_nothing_left
'

test_expect_success 'without time namespaces: a config with one fails naming Linux 5.6' '
	make_bundle b7 "[\"/bin/true\"]" &&
	config_set b7 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"time\" } ]" &&
	OCIMIN_TEST_MISSING=time test_must_fail oci run -b b7 f7 2>err &&
	test_grep err "^ocimin: .*time namespaces need Linux 5\.6" &&
	OCIMIN_TEST_MISSING=time ocimin check >out &&
	test_grep out "^namespace time +no " &&
	check_nothing_left
'

test_expect_success 'without cgroup.kill: delete --force kills every process of the container' '
	make_sh_bundle b8 "sleep 1000 & sleep 1000 & $WAITER" &&
	OCIMIN_TEST_MISSING=cgroup.kill oci create -b b8 f8 &&
	oci start f8 &&
	wait_file b8/shared/started &&
	OCIMIN_TEST_MISSING=cgroup.kill oci delete --force f8 &&
	retry 100 check_nothing_left
'

# The suite's files that exercise what the new syscalls serve, all
# through the wrapper ($OCIMIN_FALLBACK_FILES to choose). In the VM
# (OCIMIN_TEST_NOSKIP) only the two that matter most, openat2's walk and
# exec without pidfds: the VM's time limit is for the whole suite.
files='0000-basics 2000-namespaces 2100-mounts 3000-process 5000-lifecycle 5200-exec 5210-passed-fds 5300-terminal'
[ -n "$OCIMIN_TEST_NOSKIP" ] && files='2100-mounts 5200-exec'
for f in ${OCIMIN_FALLBACK_FILES:-$files}; do
	test_expect_success "$f.t passes on the old kernel" "
		OCIMIN=\$TRASH/old-kernel sh \"\$TEST_DIR/$f.t\" >sub.out 2>&1 ||
		{ grep -A6 \"^not ok\" sub.out; tail -n 3 sub.out; exit 1; }
	"
done

test_done
