#!/bin/sh
test_description='linux.seccomp: the filter ocimin compiles holds inside the container'
. "$(dirname "$0")/lib.sh"

LISTENER=$TEST_DIR/seccomp-listener
SIGSYS_EXIT=$((128 + 31))

# seccomp DEFAULT SYSCALLS_JSON [MORE_JSON]: a linux.seccomp member for
# make_bundle, MORE_JSON spliced into the object
seccomp() {
	echo "\"seccomp\": { \"defaultAction\": \"$1\", \"syscalls\": [ $2 ]${3:+, $3} }"
}

# rule NAMES ACTION [MORE_JSON]: one syscalls[] entry; NAMES space separated
rule() {
	r_names=
	for n in $1; do
		r_names="$r_names${r_names:+, }\"$n\""
	done
	echo "{ \"names\": [ $r_names ], \"action\": \"$2\"${3:+, $3} }"
}

# What the probe needs to run under a deny-by-default profile, with
# nothing numbered above pidfd_open (434 on every arch since Linux 5.3).
PROBE_NEEDS='read write writev readv close exit exit_group execve brk mmap munmap
mprotect madvise arch_prctl set_tid_address set_robust_list rseq ioctl fcntl
fstat newfstatat statx lseek open openat rt_sigaction rt_sigprocmask
rt_sigreturn sigreturn getpid gettid futex uname prlimit64 pidfd_open'

test_expect_success 'features says seccomp is enabled, with every action and operator' '
	oci features >out &&
	tr -d " \n" <out >flat &&
	test_grep flat "\"seccomp\":\\{\"enabled\":true" &&
	for a in KILL KILL_PROCESS KILL_THREAD TRAP ERRNO TRACE ALLOW LOG NOTIFY; do
		test_grep flat "\"SCMP_ACT_$a\"" || return 1
	done &&
	for o in NE LT LE EQ GE GT MASKED_EQ; do
		test_grep flat "\"SCMP_CMP_$o\"" || return 1
	done &&
	test_grep flat "\"supportedFlags\":\\[\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"\\]"
'

test_expect_success 'a denied syscall gets its errnoRet, the others run' '
	make_bundle b1 "[\"/probe\", \"seccomp\", \"syscall\", \"getpriority\", \"syscall\", \"getppid\"]" \
		"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 42")")" &&
	oci run -b b1 s1 >out &&
	printf "Seccomp: 2\nSeccomp_filters: 1\nsyscall getpriority: errno42\nsyscall getppid: ok 0\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'ERRNO without errnoRet is EPERM, defaultErrnoRet sets the default' '
	make_bundle b2 "[\"/probe\", \"syscall\", \"getppid\", \"syscall\", \"getpriority\"]" \
		"$(seccomp SCMP_ACT_ERRNO "$(rule "$PROBE_NEEDS" SCMP_ACT_ALLOW), $(rule getpriority SCMP_ACT_ERRNO)" "\"defaultErrnoRet\": 13")" &&
	oci run -b b2 s2 >out &&
	printf "syscall getppid: EACCES\nsyscall getpriority: EPERM\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'arguments are compared on 64 bits: args of a rule AND, rules OR' '
	hi="{ \"index\": 1, \"value\": 4294967296, \"op\": \"SCMP_CMP_EQ\" }" &&
	user="{ \"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_GE\" }" &&
	masked="{ \"index\": 0, \"value\": 1, \"valueTwo\": 1, \"op\": \"SCMP_CMP_MASKED_EQ\" }" &&
	who="{ \"index\": 1, \"value\": 7, \"op\": \"SCMP_CMP_LT\" }" &&
	make_bundle b3 "[\"/probe\", \"syscall\", \"getpriority,0,0\", \"syscall\", \"getpriority,0,0x100000000\", \"syscall\", \"getpriority,2,0\", \"syscall\", \"getpriority,1,9\", \"syscall\", \"getpriority,1,0\"]" \
		"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 43, \"args\": [ $hi ]"),
			$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 44, \"args\": [ $user ]"),
			$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 45, \"args\": [ $masked, $who ]")")" &&
	oci run -b b3 s3 >out &&
	printf "syscall getpriority: ok 20\nsyscall getpriority: errno43\nsyscall getpriority: errno44\nsyscall getpriority: ESRCH\nsyscall getpriority: errno45\n" >expect &&
	sed "s/ESRCH/errno3/" expect >expect2 &&
	{ test_cmp expect out || test_cmp expect2 out; } &&
	check_nothing_left
'

test_expect_success 'KILL_PROCESS, KILL and TRAP end the process with SIGSYS' '
	for a in SCMP_ACT_KILL_PROCESS SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_TRAP; do
		make_bundle b4 "[\"/probe\", \"umask\", \"syscall\", \"getpriority\", \"umask\"]" \
			"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority $a)")" &&
		test_expect_code $SIGSYS_EXIT oci run -b b4 s4 >out &&
		echo "umask: 0022" >expect &&
		test_cmp expect out || return 1
	done &&
	check_nothing_left
'

test_expect_success 'LOG lets the syscall run, TRACE without a tracer fails it with ENOSYS' '
	make_bundle b5 "[\"/probe\", \"syscall\", \"getppid\", \"syscall\", \"getpriority\"]" \
		"$(seccomp SCMP_ACT_ALLOW "$(rule getppid SCMP_ACT_LOG), $(rule getpriority SCMP_ACT_TRACE)")" &&
	oci run -b b5 s5 >out &&
	printf "syscall getppid: ok 0\nsyscall getpriority: ENOSYS\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'a syscall newer than every one the profile names gets ENOSYS, an older one the default' '
	make_bundle b6 "[\"/probe\", \"syscall\", \"getppid\", \"syscall\", \"mount_setattr\", \"syscall\", \"1000\", \"syscall\", \"pidfd_open,-1,0\"]" \
		"$(seccomp SCMP_ACT_ERRNO "$(rule "$PROBE_NEEDS" SCMP_ACT_ALLOW)")" &&
	oci run -b b6 s6 >out &&
	printf "syscall getppid: EPERM\nsyscall mount_setattr: ENOSYS\nsyscall 1000: ENOSYS\nsyscall pidfd_open: EINVAL\n" >expect &&
	test_cmp expect out &&
	make_bundle b7 "[\"/probe\", \"syscall\", \"mount_setattr\"]" \
		"$(seccomp SCMP_ACT_KILL_PROCESS "$(rule "$PROBE_NEEDS" SCMP_ACT_ALLOW)")" &&
	oci run -b b7 s7 >out &&
	echo "syscall mount_setattr: ENOSYS" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'without noNewPrivileges the filter is loaded before the capabilities go' '
	make_bundle b8 "[\"/probe\", \"nnp\", \"seccomp\", \"caps\", \"syscall\", \"getpriority\"]" \
		"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 42")")" &&
	config_set b8 noNewPrivileges false &&
	config_set b8 user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	oci run -b b8 s8 >out &&
	test_grep out "^NoNewPrivs: 0$" &&
	test_grep out "^Seccomp: 2$" &&
	test_grep out "^CapEff: 0000000000000000$" &&
	test_grep out "^syscall getpriority: errno42$" &&
	check_nothing_left
'

test_expect_success 'the Docker default profile runs busybox' '
	make_bundle b9 "[\"/bin/sh\", \"-c\", \"echo hello; id -u; ls / >/dev/null && grep ^Seccomp: /proc/self/status; /probe syscall mount_setattr syscall 451\"]" \
		"\"seccomp\": $(cat "$TEST_DIR/seccomp-docker.json")" &&
	oci run -b b9 s9 >out 2>err &&
	printf "hello\n0\nSeccomp:\t2\nsyscall mount_setattr: EPERM\nsyscall 451: ENOSYS\n" >expect &&
	test_cmp expect out &&
	test_grep_not err "." &&
	check_nothing_left
'

x86_64() { test "$(uname -m)" = x86_64; }

test_expect_success 'x32 syscalls are killed unless SCMP_ARCH_X32 is listed' '
	if x86_64; then
		make_bundle b10 "[\"/probe\", \"syscall\", \"0x40000027\"]" \
			"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO)")" &&
		test_expect_code $SIGSYS_EXIT oci run -b b10 s10 >out &&
		make_bundle b11 "[\"/probe\", \"syscall\", \"0x40000027\"]" \
			"$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO)" "\"architectures\": [ \"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\" ]")" &&
		oci run -b b11 s11 >out &&
		test_grep out "^syscall 0x40000027: (ok [0-9]+|ENOSYS)$"
	fi &&
	check_nothing_left
'

# listener_profile SOCKET: NOTIFY on getppid and sched_yield
listener_profile() {
	seccomp SCMP_ACT_ALLOW "$(rule "getppid sched_yield" SCMP_ACT_NOTIFY)" \
		"\"listenerPath\": \"$1\", \"listenerMetadata\": \"m=1;k=v\""
}

test_expect_success 'a NOTIFY agent gets the listener with the state, and answers' '
	"$LISTENER" "$TRASH/agent1.sock" agent.out 55 continue 56 &
	agent=$! &&
	wait_file "$TRASH/agent1.sock" &&
	make_bundle b12 "[\"/probe\", \"syscall\", \"getppid\", \"syscall\", \"getppid\", \"syscall\", \"sched_yield\", \"syscall\", \"getpriority\"]" \
		"$(listener_profile "$TRASH/agent1.sock")" &&
	oci run -b b12 s12 >out &&
	wait $agent &&
	printf "syscall getppid: errno55\nsyscall getppid: ok 0\nsyscall sched_yield: errno56\nsyscall getpriority: ok 20\n" >expect &&
	test_cmp expect out &&
	test_grep agent.out "^fds: 1$" &&
	test_grep agent.out "^state: \\{\"ociVersion\":\"[0-9.]+\",\"fds\":\\[\"seccompFd\"\\],\"pid\":[1-9][0-9]*,\"metadata\":\"m=1;k=v\",\"state\":\\{" &&
	test_grep agent.out "\"id\":\"s12\",\"status\":\"created\",\"pid\":[1-9][0-9]*,\"bundle\":\"$(cd b12 && pwd)\"" &&
	test "$(grep -c "^notif: " agent.out)" -eq 3 &&
	check_nothing_left
'

test_expect_success 'without noNewPrivileges the agent is told the container is creating' '
	"$LISTENER" "$TRASH/agent2.sock" agent2.out continue &
	agent=$! &&
	wait_file "$TRASH/agent2.sock" &&
	make_bundle b13 "[\"/probe\", \"syscall\", \"getppid\"]" "$(listener_profile "$TRASH/agent2.sock")" &&
	config_set b13 noNewPrivileges false &&
	oci run -b b13 s13 >out &&
	wait $agent &&
	echo "syscall getppid: ok 0" >expect &&
	test_cmp expect out &&
	test_grep agent2.out "\"status\":\"creating\"" &&
	check_nothing_left
'

test_expect_success 'an agent that is not listening fails create, leaving nothing' '
	make_bundle b14 "[\"/probe\", \"syscall\", \"getppid\"]" "$(listener_profile "$TRASH/nobody.sock")" &&
	test_must_fail oci create -b b14 s14 2>err &&
	test_grep err "^ocimin: connect to linux.seccomp.listenerPath $TRASH/nobody.sock: " &&
	check_nothing_left s14 &&
	check_nothing_left
'

# bad_profile SECCOMP_JSON ERROR_PATTERN: create fails with it, leaving nothing
bad_profile() {
	make_bundle bad "[\"/probe\", \"pid\"]" "$1" &&
	test_must_fail oci create -b bad bad 2>err &&
	test_grep err "$2" &&
	test "$(wc -l <err)" -eq 1 &&
	check_nothing_left
}

test_expect_success 'a bad profile fails create with one line, leaving nothing' '
	bad_profile "$(seccomp SCMP_ACT_FOO "")" "linux\\.seccomp\\.defaultAction.*SCMP_ACT_FOO" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "$(rule getppid SCMP_ACT_BAR)")" "linux\\.seccomp\\.syscalls\\[0\\]\\.action.*SCMP_ACT_BAR" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "" "\"architectures\": [ \"SCMP_ARCH_VAX\" ]")" "linux\\.seccomp\\.architectures\\[0\\].*SCMP_ARCH_VAX" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "$(rule getppid SCMP_ACT_ERRNO "\"args\": [ { \"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_XX\" } ]")")" "linux\\.seccomp\\.syscalls\\[0\\]\\.args\\[0\\]\\.op.*SCMP_CMP_XX" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "$(rule getppid SCMP_ACT_ERRNO "\"args\": [ { \"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\" } ]")")" "linux\\.seccomp\\.syscalls\\[0\\]\\.args\\[0\\]\\.index" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "" "\"flags\": [ \"SECCOMP_FILTER_FLAG_NOPE\" ]")" "linux\\.seccomp\\.flags.*SECCOMP_FILTER_FLAG_NOPE" &&
	bad_profile "$(seccomp SCMP_ACT_ALLOW "$(rule getppid SCMP_ACT_NOTIFY)")" "linux\\.seccomp\\.listenerPath: required by SCMP_ACT_NOTIFY" &&
	bad_profile "$(seccomp SCMP_ACT_NOTIFY "" "\"listenerPath\": \"/x\"")" "SCMP_ACT_NOTIFY cannot be the default action" &&
	bad_profile "$(seccomp SCMP_ACT_ERRNO "$(rule read SCMP_ACT_ALLOW), $(rule read SCMP_ACT_KILL)")" "syscalls\\[1\\]: read already has another action in syscalls\\[0\\]"
'

test_expect_success 'unknown syscall names are skipped with one warning' '
	make_bundle b15 "[\"/probe\", \"syscall\", \"getpriority\"]" \
		"$(seccomp SCMP_ACT_ALLOW "$(rule "no_such_syscall getpriority also_not_one" SCMP_ACT_ERRNO)")" &&
	oci run -b b15 s15 >out 2>err &&
	echo "syscall getpriority: EPERM" >expect &&
	test_cmp expect out &&
	test_grep err "^ocimin: warning: .*linux\\.seccomp: unknown syscalls skipped: no_such_syscall, also_not_one$" &&
	test "$(wc -l <err)" -eq 1 &&
	check_nothing_left
'

test_expect_success 'an exec'"'"'d process gets the container'"'"'s filter' '
	make_sh_bundle b16 "$WAITER" "$(seccomp SCMP_ACT_ALLOW "$(rule getpriority SCMP_ACT_ERRNO "\"errnoRet\": 42")")" &&
	oci create -b b16 s16 &&
	oci start s16 &&
	wait_file b16/shared/started &&
	oci exec s16 /probe syscall getpriority >out &&
	echo "syscall getpriority: errno42" >expect &&
	test_cmp expect out &&
	touch b16/shared/stop &&
	retry 100 status_is s16 stopped &&
	oci delete s16 &&
	check_nothing_left
'

test_done
