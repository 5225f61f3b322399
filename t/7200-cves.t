#!/bin/sh
test_description='the published attacks on container runtimes, each shaped after its exploit, fail against ocimin'
. "$(dirname "$0")/lib.sh"

# /attack (t/attack.c) is the attacker's side of each exploit; the tests
# here stage the rest: the image, the config, the timing. Each checks the
# outcome the exploit was after did not happen.

ATTACK=${ATTACK:-$TEST_DIR/attack}
have_attack() { test -x "$ATTACK"; }
test_skip_unless have_attack "t/attack (make t/attack)"

# Milliseconds since boot, to a hundredth of a second.
now_ms() {
	read -r nm_up nm_rest </proc/uptime
	nm_frac=${nm_up#*.}
	echo $(( ${nm_up%.*} * 1000 + ${nm_frac#0} * 10 ))
}

# The figures of a racing test, shown after it.
note() { echo "$*" >>"$TRASH/figures"; }
show_figures() {
	[ -s "$TRASH/figures" ] && sed "s/^/# /" "$TRASH/figures" && rm "$TRASH/figures"
	return 0
}

# attack_bundle DIR SCRIPT [EXTRA_LINUX_JSON]: make_sh_bundle with
# /attack in the rootfs.
attack_bundle() {
	make_sh_bundle "$1" "$2" "$3" && cp "$ATTACK" "$1/rootfs/attack"
}

# no_dev_tmpfs DIR: the rootfs's own /dev, as an image has it, instead of
# a tmpfs (its devices are made in it).
no_dev_tmpfs() {
	awk '/"destination": "\/dev", "type": "tmpfs"/ { skip = 2 } skip { skip--; next } { print }' \
		"$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# ---- CVE-2019-5736: overwriting the runtime through /proc/PID/exe ------
# The image's /bin/evil starts with "#!/proc/self/exe": `exec` of it runs
# the runtime's own binary inside the container, where the container's
# pid 1 catches its /proc/PID/exe, waits for it to exit and writes to it.

# These two run ocimin's own binary inside the container, where the ASan
# build of make check-asan, linked to glibc dynamically, finds no loader.
asan_saved=$test_skip_reason
[ -n "$OCIMIN_ASAN" ] && test_skip_reason='OCIMIN_ASAN: the ASan build of ocimin cannot run inside the container'
test_expect_success 'CVE-2019-5736: the container cannot write the ocimin binary that exec ran' '
	cp "$OCIMIN" ocimin.copy &&
	OCIMIN=$TRASH/ocimin.copy &&
	sha256sum <ocimin.copy >sum.before &&
	attack_bundle b5736 "mkfifo /tmp/fifo && touch /shared/ready && /attack exe-grab /tmp/fifo >/shared/result 2>&1" &&
	config_set b5736 root "{ \"path\": \"rootfs\", \"readonly\": false }" &&
	printf "#!/proc/self/exe --log=/tmp/fifo\n" >b5736/rootfs/bin/evil &&
	chmod 755 b5736/rootfs/bin/evil &&
	oci create -b b5736 c5736 &&
	oci start c5736 &&
	wait_file b5736/shared/ready &&
	test_must_fail oci exec c5736 /bin/evil 2>err &&
	test_grep err "unknown command \"/bin/evil\"" &&
	retry 400 status_is c5736 stopped &&
	cat b5736/shared/result &&
	test_grep b5736/shared/result "^grabbed the exe of a runtime process: " &&
	test_grep_not b5736/shared/result "^wrote [0-9]+ bytes" &&
	sha256sum <ocimin.copy >sum.after &&
	test_cmp sum.before sum.after &&
	oci delete c5736 &&
	check_nothing_left c5736
'

# As root ocimin re-executes itself from a read-only bind mount of its
# binary that no namespace holds (its exe reads as "/"); without the
# right to mount, from a sealed memfd copy.
test_expect_success 'CVE-2019-5736: a container command that is /proc/self/exe runs an ocimin no one can write' '
	cp "$OCIMIN" ocimin.copy2 &&
	OCIMIN=$TRASH/ocimin.copy2 &&
	sha256sum <ocimin.copy2 >sum2.before &&
	make_sh_bundle bself "" &&
	config_set bself args "[ \"/proc/self/exe\", \"--log=/shared/fifo\", \"state\", \"x\" ]" &&
	mkfifo bself/shared/fifo &&
	oci create -b bself cself &&
	oci start cself &&
	pid=$(state_field cself pid) &&
	readlink /proc/$pid/exe >exe &&
	test_grep exe "^(/|/memfd:ocimin \(deleted\))$" &&
	test_must_fail sh -c "printf x >>/proc/$pid/exe" &&
	sha256sum <ocimin.copy2 >sum2.after &&
	test_cmp sum2.before sum2.after &&
	cat bself/shared/fifo >/dev/null &&
	retry 100 status_is cself stopped &&
	oci delete cself &&
	check_nothing_left cself
'

test_skip_reason=$asan_saved

# ---- CVE-2016-9962: ptrace of the process exec puts in the container ---
# exec's process is stopped right before its execve (OCIMIN_DEBUG_STOP),
# when it is in every namespace and has the container's credentials; an
# attacker in the container tries to attach to it and read it.

BASE=300000
MAPS='"uidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ]'

# ptrace_exec ID [EXEC_FLAGS]: stops an exec in ID before its execve, has
# /attack try it with EXEC_FLAGS, lets it go.
ptrace_exec() {
	OCIMIN_DEBUG_STOP=exec:setup/stop &&
	export OCIMIN_DEBUG_STOP &&
	oci_bg exec "$1" /bin/true 2>err &&
	unset OCIMIN_DEBUG_STOP &&
	epid=$oci_pid &&
	retry 200 test_grep err "stopped at exec:setup" &&
	nspid=$(sed -n "s/.*stopped at exec:setup, pid \([0-9]*\)$/\1/p" err) &&
	oci exec $2 "$1" /attack ptrace "$nspid" >result &&
	child=$(grep -l "^PPid:[[:space:]]*$epid\$" /proc/[0-9]*/status 2>/dev/null | sed "s|/proc/\([0-9]*\)/.*|\1|") &&
	kill -CONT $child &&
	wait $epid &&
	cat result
}

test_expect_success 'CVE-2016-9962: the process exec runs cannot be traced or read from the container' '
	attack_bundle b9962 "$WAITER" &&
	oci create -b b9962 c9962 &&
	oci start c9962 &&
	wait_file b9962/shared/started &&
	ptrace_exec c9962 &&
	test_grep result "^ptrace: Operation not permitted$" &&
	test_grep result "^exe: Permission denied$" &&
	test_grep result "^environ: Permission denied$" &&
	test_grep result "^fds: Permission denied$" &&
	oci delete --force c9962 &&
	check_nothing_left c9962
'

have_userns() { test -e /proc/self/ns/user && test "$(id -u)" = 0; }

test_expect_success 'CVE-2016-9962: nor by root of a user namespace with CAP_SYS_PTRACE in it' '
	have_userns &&
	attack_bundle bu9962 "$WAITER" "$MAPS" &&
	config_set bu9962 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"user\" } ]" &&
	chown -R $BASE:$BASE bu9962/rootfs bu9962/shared &&
	oci create -b bu9962 cu9962 &&
	oci start cu9962 &&
	wait_file bu9962/shared/started &&
	ptrace_exec cu9962 "--cap CAP_SYS_PTRACE" &&
	test_grep result "^ptrace: Operation not permitted$" &&
	test_grep result "^exe: Permission denied$" &&
	test_grep result "^fds: Permission denied$" &&
	oci delete --force cu9962 &&
	check_nothing_left cu9962
'

# ---- CVE-2024-21626: a host fd leaked into the container ---------------

test_expect_success 'CVE-2024-21626: the container process holds no fd but its stdio' '
	attack_bundle b21626 "/attack fds >/shared/init; $WAITER" &&
	oci create -b b21626 c21626 &&
	oci start c21626 &&
	wait_file b21626/shared/started &&
	cat b21626/shared/init &&
	test "$(grep -c "^fd [0-9]*:" b21626/shared/init)" = 3 &&
	test_grep_not b21626/shared/init "^fd ([3-9]|[1-9][0-9]+):"
'

test_expect_success 'CVE-2024-21626: neither does a process exec runs' '
	oci exec c21626 /attack fds >exec-fds &&
	cat exec-fds &&
	test_grep_not exec-fds "^fd ([3-9]|[1-9][0-9]+):" &&
	oci exec -t c21626 /attack fds </dev/null >exec-fds-tty &&
	tr -d "\r" <exec-fds-tty >exec-fds &&
	test_grep_not exec-fds "^fd ([3-9]|[1-9][0-9]+):" &&
	test_grep_not exec-fds "OUTSIDE"
'

test_expect_success 'CVE-2024-21626: the init waiting for start holds no fd of a host directory' '
	attack_bundle binit "$WAITER" &&
	oci create -b binit cinit &&
	pid=$(state_field cinit pid) &&
	oci exec --cap CAP_SYS_PTRACE cinit /attack fds 1 >init-fds &&
	cat init-fds &&
	test_grep init-fds "^fd 0: " &&
	test_grep_not init-fds "directory|:\[4026531" &&
	oci delete --force cinit &&
	retry 100 gone $pid &&
	test ! -e "$ROOT/cinit"
'

test_expect_success 'CVE-2024-21626: exec --cwd /proc/self/fd/N is refused or stays inside' '
	for n in 3 4 5 6 7 8 9 10; do
		if oci exec --cwd /proc/self/fd/$n c21626 /bin/sh -c "pwd -P; ls -id ." >cwd 2>err; then
			test_grep_not cwd "unreachable" || exit 1
		else
			test_grep err "cwd|No such file|Not a directory" || exit 1
		fi
	done &&
	oci delete --force c21626 &&
	check_nothing_left c21626
'

test_expect_success 'CVE-2024-21626: process.cwd /proc/self/fd/N is refused or stays inside' '
	make_sh_bundle bcwd "pwd -P >/shared/cwd" &&
	for n in 3 4 5 6 7 8 9 10; do
		config_set bcwd cwd "\"/proc/self/fd/$n\"" &&
		rm -f bcwd/shared/cwd &&
		if oci run -b bcwd ccwd 2>err; then
			test_grep_not bcwd/shared/cwd "unreachable" || exit 1
		else
			test_grep err "cwd|No such file|Not a directory" || exit 1
		fi
	done &&
	check_nothing_left ccwd
'

test_expect_success 'CVE-2024-21626: process.args through /proc/self/fd/N never runs a host binary' '
	make_bundle bargs "[\"/bin/true\"]" &&
	add_shared bargs &&
	for n in 3 4 5 6 7 8; do
		for up in ../../.. ../../../../../..; do
			config_set bargs args "[ \"/proc/self/fd/$n/$up/bin/sh\", \"-c\", \"readlink /proc/self/exe >/shared/exe\" ]" &&
			rm -f bargs/shared/exe &&
			if oci run -b bargs cargs 2>err; then
				test "$(cat bargs/shared/exe)" = /bin/busybox || exit 1
			else
				test_grep err "^ocimin: " || exit 1
			fi
		done
	done &&
	check_nothing_left cargs
'

# ---- CVE-2021-30465: a mount destination swapped for a symlink ---------
# While ocimin sets the container up, a racing process swaps the mount
# destination /mnt/dir with a symlink out of the rootfs, again and again.
# A mount that followed it on the host would land on $TRASH/b30465/target,
# which a later bind mount shows the container as /seen.

test_expect_success 'CVE-2021-30465: a racing symlink exchange never takes a mount out of the rootfs' '
	make_sh_bundle b30465 "test -e /seen/untouched && echo seen; grep -c . /proc/self/mountinfo" &&
	mkdir -p b30465/target b30465/rootfs/mnt/dir b30465/rootfs/seen &&
	echo untouched >b30465/target/untouched &&
	add_mounts b30465 "{ \"destination\": \"/mnt/dir\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }, { \"destination\": \"/seen\", \"type\": \"bind\", \"source\": \"$TRASH/b30465/target\", \"options\": [ \"bind\", \"ro\" ] }" &&
	t0=$(now_ms) &&
	oci run -b b30465 c30465 >out &&
	test_grep out "^seen$" &&
	runs=30 && ok=0 && failed=0 &&
	{ [ $(( $(now_ms) - t0 )) -le 150 ] || runs=10; } &&
	for link in ../../target "$TRASH/b30465/target"; do
		ln -sfn "$link" b30465/rootfs/mnt/link &&
		{ "$ATTACK" exchange b30465/rootfs/mnt/dir b30465/rootfs/mnt/link 600000 >swaps 2>&1 & racer=$!; } &&
		i=0 &&
		while [ $i -lt $runs ]; do
			if oci run -b b30465 c30465 >out 2>err; then
				test_grep out "^seen$" || { kill $racer; exit 1; }
				ok=$((ok + 1))
			else
				failed=$((failed + 1))
			fi
			i=$((i + 1))
		done &&
		kill $racer && { wait $racer || :; } &&
		test "$(ls -A b30465/target)" = untouched &&
		test_grep b30465/target/untouched "^untouched$" || exit 1
	done &&
	note "CVE-2021-30465: $((2 * runs)) creates raced by a symlink exchange: $ok ran, $failed failed to set up (a mount landing inside the rootfs), none outside" &&
	test_must_fail grep -q " $TRASH/b30465/target " /proc/self/mountinfo &&
	check_nothing_left c30465
'
show_figures

# ---- CVE-2023-27561, CVE-2019-16884: a rootfs whose /proc is a symlink --

test_expect_success 'CVE-2023-27561: /proc a symlink to a host path: proc is mounted inside, the host path untouched' '
	make_sh_bundle b27561 "test -r /proc/self/status && echo proc; cat /proc/self/oom_score_adj" &&
	config_set b27561 rlimits "[ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ], \"oomScoreAdj\": 345" &&
	hp=/ocimin-test-hostproc.$$ &&
	rmdir b27561/rootfs/proc &&
	ln -s "$hp" b27561/rootfs/proc &&
	oci run -b b27561 c27561 >out 2>err &&
	cat out err &&
	test_grep out "^proc$" &&
	test_grep out "^345$" &&
	test ! -e "$hp" &&
	test -d "b27561/rootfs$hp" &&
	check_nothing_left c27561
'

test_expect_success 'CVE-2023-27561: /proc a symlink within the rootfs: proc lands there, inside' '
	make_sh_bundle b27561b "test -r /proc/self/status && echo proc; test -r /evil/self/status && echo evil" &&
	rmdir b27561b/rootfs/proc &&
	mkdir b27561b/rootfs/evil &&
	ln -s evil b27561b/rootfs/proc &&
	oci run -b b27561b c27561b >out 2>err &&
	cat out err &&
	test_grep out "^proc$" &&
	test_grep out "^evil$" &&
	test "$(ls -A b27561b/rootfs/evil)" = "" &&
	check_nothing_left c27561b
'

# ---- CVE-2022-29162: inheritable capabilities --------------------------

test_expect_success 'CVE-2022-29162: the process has exactly the inheritable capabilities asked for: none by default' '
	make_sh_bundle b29162 "grep -E \"^Cap(Inh|Amb)\" /proc/self/status >/shared/caps; $WAITER" &&
	oci create -b b29162 c29162 &&
	oci start c29162 &&
	wait_file b29162/shared/started &&
	printf "CapInh:\t0000000000000000\nCapAmb:\t0000000000000000\n" >expect &&
	test_cmp expect b29162/shared/caps &&
	oci exec c29162 /bin/grep -E "^Cap(Inh|Amb)" /proc/self/status >exec-caps &&
	test_cmp expect exec-caps &&
	oci delete --force c29162 &&
	config_set b29162 capabilities "{ \"bounding\": [ \"CAP_KILL\", \"CAP_CHOWN\" ], \"effective\": [ \"CAP_KILL\" ], \"permitted\": [ \"CAP_KILL\" ], \"inheritable\": [ \"CAP_KILL\" ] }" &&
	rm b29162/shared/started &&
	oci create -b b29162 c29162 &&
	oci start c29162 &&
	wait_file b29162/shared/started &&
	printf "CapInh:\t0000000000000020\nCapAmb:\t0000000000000000\n" >expect &&
	test_cmp expect b29162/shared/caps &&
	oci delete --force c29162 &&
	check_nothing_left c29162
'

test_expect_success 'CVE-2022-29162: a non-root process gains no capability by exec of a file with inheritable file caps' '
	make_sh_bundle bfcap "/caps/cat /proc/self/status | grep -E \"^Cap(Prm|Eff)\" >/shared/caps" &&
	config_set bfcap user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	config_set bfcap noNewPrivileges false &&
	mkdir bfcap/rootfs/caps &&
	cp /bin/busybox bfcap/rootfs/caps/cat &&
	"$ATTACK" setfcap bfcap/rootfs/caps/cat &&
	chmod 777 bfcap/shared &&
	oci run -b bfcap cfcap &&
	printf "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n" >expect &&
	test_cmp expect bfcap/shared/caps &&
	check_nothing_left cfcap
'

# ---- CVE-2025-31133: maskedPaths through a replaced /dev/null ----------

for kind in symlink file zero dir; do
	test_expect_success "CVE-2025-31133: a /dev/null that is a $kind is refused for masking" '
		make_sh_bundle b31133$kind "echo ran >/shared/ran" &&
		no_dev_tmpfs b31133$kind &&
		d=b31133$kind/rootfs/dev &&
		case $kind in
		symlink) ln -s /proc/sys/kernel/core_pattern $d/null ;;
		file) echo not-null >$d/null ;;
		zero) mknod $d/null c 1 5 ;;
		dir) mkdir $d/null ;;
		esac &&
		test_must_fail oci run -b b31133$kind c31133 2>err &&
		test_grep err "^ocimin: mask /proc/[a-z_]+: /dev/null: " &&
		test ! -e b31133$kind/shared/ran &&
		check_nothing_left c31133
	'
done

# ---- CVE-2025-52565: the /dev/console bind mount -----------------------

for kind in symlink dir; do
	test_expect_success "CVE-2025-52565: a /dev/console that is a $kind is never bound over" '
		make_sh_bundle b52565$kind "echo ran >/shared/ran" &&
		config_set b52565$kind terminal true &&
		no_dev_tmpfs b52565$kind &&
		case $kind in
		symlink) ln -s /proc/sys/kernel/core_pattern b52565$kind/rootfs/dev/console ;;
		dir) mkdir b52565$kind/rootfs/dev/console ;;
		esac &&
		test_must_fail oci run -b b52565$kind c52565 </dev/null >out 2>err &&
		test_grep err "^ocimin: bind the pty on /dev/console: not a file$" &&
		test ! -e b52565$kind/shared/ran &&
		check_nothing_left c52565
	'
done

test_expect_success 'CVE-2025-52565: /dev/console is the container'"'"'s own pty' '
	make_sh_bundle b52565 "stat -c \"%t %F\" /dev/console; readlink /proc/self/fd/0" &&
	config_set b52565 terminal true &&
	oci run -b b52565 c52565 </dev/null >out 2>err &&
	tr -d "\r" <out >console &&
	cat console &&
	test_grep console "^88 character special file$" &&
	test_grep console "^/dev/pts/0$" &&
	check_nothing_left c52565
'

# ---- CVE-2025-52881: procfs writes redirected by mounts over /proc -----
# The config's mounts lay a host directory over /proc/sys (or under it),
# as a racing container with a shared mount would: the sysctl must not be
# written into the host's file.

fake_sysctl() {
	mkdir -p "$1/net/ipv4" && echo 0 >"$1/net/ipv4/ip_forward"
}

test_expect_success 'CVE-2025-52881: a sysctl is never written through a mount over /proc/sys' '
	make_sh_bundle b52881 "echo ran >/shared/ran" "\"sysctl\": { \"net.ipv4.ip_forward\": \"1\" }" &&
	fake_sysctl fakesys &&
	add_mounts b52881 "{ \"destination\": \"/proc/sys\", \"type\": \"bind\", \"source\": \"$TRASH/fakesys\", \"options\": [ \"rbind\" ] }" &&
	test_must_fail oci run -b b52881 c52881 2>err &&
	test_grep err "^ocimin: write sysctl net.ipv4.ip_forward: /proc/sys is not procfs" &&
	test "$(cat fakesys/net/ipv4/ip_forward)" = 0 &&
	test ! -e b52881/shared/ran &&
	check_nothing_left c52881
'

test_expect_success 'CVE-2025-52881: nor through a mount under /proc/sys' '
	make_sh_bundle b52881b "echo ran >/shared/ran" "\"sysctl\": { \"net.ipv4.ip_forward\": \"1\" }" &&
	fake_sysctl fakesys2 &&
	add_mounts b52881b "{ \"destination\": \"/proc/sys/net/ipv4\", \"type\": \"bind\", \"source\": \"$TRASH/fakesys2/net/ipv4\", \"options\": [ \"rbind\" ] }" &&
	test_must_fail oci run -b b52881b c52881b 2>err &&
	test_grep err "^ocimin: write sysctl net.ipv4.ip_forward: " &&
	test "$(cat fakesys2/net/ipv4/ip_forward)" = 0 &&
	test ! -e b52881b/shared/ran &&
	check_nothing_left c52881b
'

test_expect_success 'CVE-2025-52881: the same sysctl on the real /proc/sys is written' '
	make_sh_bundle b52881c "cat /proc/sys/net/ipv4/ip_forward >/shared/v" "\"sysctl\": { \"net.ipv4.ip_forward\": \"1\" }" &&
	oci run -b b52881c c52881c &&
	test "$(cat b52881c/shared/v)" = 1 &&
	check_nothing_left c52881c
'

test_expect_success 'CVE-2025-52881: masks through a planted /proc land inside the container only' '
	make_sh_bundle bfake "cat /shared/precious" &&
	mkdir -p fakeproc/self/fd fakeproc/sys &&
	for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		ln -s /shared/precious fakeproc/self/fd/$n || exit 1
	done &&
	echo precious >bfake/shared/precious &&
	touch fakeproc/kcore &&
	add_mounts bfake "{ \"destination\": \"/proc\", \"type\": \"bind\", \"source\": \"$TRASH/fakeproc\", \"options\": [ \"rbind\" ] }" &&
	oci run -b bfake cfake >out 2>err &&
	cat out err &&
	test_grep out "^precious$" &&
	test "$(cat bfake/shared/precious)" = precious &&
	check_nothing_left cfake
'

# ---- CVE-2026-41579: a rootfs whose /dev is a symlink ------------------

test_expect_success 'a rootfs whose /dev is a symlink to a host directory: devices are made inside' '
	make_sh_bundle bdev "test -c /dev/null && echo null" &&
	no_dev_tmpfs bdev &&
	mkdir hostdev &&
	echo host-file >hostdev/ptmx &&
	rm -rf bdev/rootfs/dev &&
	ln -s "$TRASH/hostdev" bdev/rootfs/dev &&
	oci run -b bdev cdev >out 2>err &&
	cat out err &&
	test_grep out "^null$" &&
	test "$(ls -A hostdev)" = ptmx &&
	test_grep hostdev/ptmx "^host-file$" &&
	check_nothing_left cdev
'

test_done
