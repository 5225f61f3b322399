#!/bin/sh
test_description='exec runs a process inside a container: its namespaces, root, cgroup, user and limits'
. "$(dirname "$0")/lib.sh"

# ns_of PID: "type: target" of the namespaces of PID, one per line
ns_of() {
	for n in cgroup ipc mnt net pid time uts; do
		[ -e "/proc/$1/ns/$n" ] && echo "$n: $(readlink "/proc/$1/ns/$n")"
	done
}

# cgroup_of ID: the cgroup dir state.json recorded for container ID
cgroup_of() { sed -n 's/.*"cgroup": *"\([^"]*\)".*/\1/p' "$ROOT/$1/state.json"; }

# no_state ID: container ID is gone (others of this file still run)
no_state() { test ! -e "$ROOT/$1"; }

# json_process FILE ARGS_JSON [MORE_JSON]: a process.json as containerd
# writes it for an exec
json_process() {
	cat >"$1" <<JSON
{
	"terminal": false,
	"user": { "uid": 0, "gid": 0 },
	"args": $2,
	"env": [ "PATH=/bin:/usr/bin", "FROM=process.json", "OCIMIN_TEST_MARK=$MARK" ],
	"cwd": "/tmp"${3:+,$3}
}
JSON
}

test_expect_success 'setup: a running container' '
	make_sh_bundle b "$WAITER" &&
	oci create -b b exec-c &&
	oci start exec-c &&
	wait_file b/shared/started
'

test_expect_success 'exec joins every namespace of the container' '
	pid=$(state_field exec-c pid) &&
	ns_of "$pid" >expect &&
	oci exec exec-c /probe ns >out &&
	grep -E "^(cgroup|ipc|mnt|net|pid|time|uts): " out | sort >actual &&
	test_cmp expect actual &&
	grep -qxF "pid_for_children: $(readlink /proc/$pid/ns/pid)" out
'

test_expect_success 'the exec'"'"'d process is in the container'"'"'s pid namespace, not its init' '
	oci exec exec-c /probe pid >out &&
	test_grep out "^pid: [0-9]+$" &&
	test_grep_not out "^pid: 1$" &&
	test_grep out "^ppid: 0$"
'

test_expect_success 'the exec'"'"'d process sees the container'"'"'s root and hostname' '
	oci exec exec-c /probe hostname ls / >out &&
	test_grep out "ocimin-test" &&
	test_grep out "payload" &&
	oci exec exec-c readlink /proc/self/exe >out &&
	echo /bin/busybox >expect &&
	test_cmp expect out
'

test_expect_success 'by default the process is the container'"'"'s: user, env, cwd, capabilities, rlimits' '
	oci exec exec-c /probe ids env cwd caps nnp rlimits >out &&
	test_grep out "^uid: 0$" &&
	test_grep out "^env: TERM=xterm$" &&
	test_grep out "^env: HOME=/root$" &&
	test_grep out "^cwd: /$" &&
	test_grep out "^CapBnd: 0+20000420$" &&
	test_grep out "^CapEff: 0+20000420$" &&
	test_grep out "^NoNewPrivs: 1$" &&
	test_grep out "^RLIMIT_NOFILE: 1024 1024$"
'

test_expect_success 'exec reads the config create saved, not the bundle'"'"'s, which may change' '
	mv b/config.json b/config.json.away &&
	oci exec exec-c /probe hostname >out &&
	mv b/config.json.away b/config.json &&
	test_grep out ocimin-test
'

test_expect_success 'exec exits with the process'"'"'s status, 128+N when killed by signal N' '
	test_expect_code 0 oci exec exec-c true &&
	test_expect_code 42 oci exec exec-c sh -c "exit 42" &&
	test_expect_code 143 oci exec exec-c sh -c "kill -TERM \$\$; sleep 5" &&
	status_is exec-c running
'

test_expect_success 'the process reads exec'"'"'s stdin and writes its stdout and stderr' '
	echo hello | oci exec exec-c sh -c "read l; echo out:\$l; echo err:\$l >&2" >out 2>err &&
	echo out:hello >expect &&
	test_cmp expect out &&
	echo err:hello >expect &&
	test_cmp expect err
'

test_expect_success '--cwd, --env, --user and --additional-gids change the process' '
	oci exec --cwd /tmp -e TERM=dumb --env NEW=1 -u 65534:65534 -g 10 --additional-gids 20 \
		exec-c /probe cwd env ids >out &&
	test_grep out "^cwd: /tmp$" &&
	test_grep out "^env: TERM=dumb$" &&
	test_grep_not out "^env: TERM=xterm$" &&
	test_grep out "^env: NEW=1$" &&
	test_grep out "^uid: 65534$" &&
	test_grep out "^gid: 65534$" &&
	test_grep out "^groups: 10 20$" &&
	oci exec -u 7 exec-c /probe ids >out &&
	test_grep out "^uid: 7$" &&
	test_grep out "^gid: 0$"
'

test_expect_success '--cap adds a capability, --no-new-privs sets no_new_privs' '
	oci exec --cap CAP_SYS_ADMIN -c CAP_CHOWN exec-c /probe caps >out &&
	test_grep out "^CapBnd: 0+20200421$" &&
	test_grep out "^CapEff: 0+20200421$" &&
	make_sh_bundle b2 "$WAITER" &&
	config_set b2 noNewPrivileges false &&
	oci run -d -b b2 exec-c2 &&
	wait_file b2/shared/started &&
	oci exec exec-c2 /probe nnp >out &&
	test_grep out "^NoNewPrivs: 0$" &&
	oci exec --no-new-privs exec-c2 /probe nnp >out &&
	test_grep out "^NoNewPrivs: 1$" &&
	oci delete -f exec-c2 &&
	no_state exec-c2
'

test_expect_success 'bad flags fail before anything runs' '
	test_expect_code 255 oci exec --cwd tmp exec-c true 2>err &&
	test_grep err "^ocimin: .*--cwd tmp" &&
	test_expect_code 255 oci exec -u nobody exec-c true 2>err &&
	test_grep err "^ocimin: .*--user nobody" &&
	test_expect_code 255 oci exec --cap CAP_NOSUCH exec-c true 2>err &&
	test_grep err "^ocimin: .*CAP_NOSUCH" &&
	test_expect_code 255 oci exec -e NOEQUALS exec-c true 2>err &&
	test_grep err "^ocimin: .*NOEQUALS" &&
	test_expect_code 2 oci exec -g x exec-c true 2>err &&
	test_expect_code 2 oci exec exec-c 2>err &&
	test_grep err "^ocimin: exec: .*command" &&
	test_expect_code 2 oci exec 2>err &&
	test_expect_code 255 oci exec --process-label system_u exec-c true 2>err &&
	test_grep err "^ocimin: .*SELinux" &&
	test_expect_code 255 oci exec exec-c /nosuch 2>err &&
	test_grep err "^ocimin: .*/nosuch"
'

apparmor() { [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; }

test_expect_success '--apparmor: the profile is the process'"'"'s; without AppArmor, an error' '
	if apparmor; then
		oci exec --apparmor unconfined exec-c cat /proc/self/attr/current >out &&
		test_grep out "^unconfined" &&
		test_expect_code 255 oci exec --apparmor no-such-profile exec-c true 2>err &&
		test_grep err "^ocimin: .*no-such-profile"
	else
		test_expect_code 255 oci exec --apparmor some-profile exec-c true 2>err &&
		test_grep err "^ocimin: .*AppArmor is not enabled"
	fi
'

test_expect_success '--process runs a process.json: what it leaves out comes from the container' '
	json_process p.json "[\"/probe\", \"ids\", \"env\", \"cwd\", \"caps\", \"nnp\", \"rlimits\"]" &&
	oci exec --process p.json exec-c >out &&
	test_grep out "^cwd: /tmp$" &&
	test_grep out "^env: FROM=process.json$" &&
	test_grep_not out "^env: TERM=" &&
	test_grep out "^CapBnd: 0+20000420$" &&
	test_grep out "^RLIMIT_NOFILE: 1024 1024$" &&
	test_grep out "^NoNewPrivs: 0$" &&
	json_process p2.json "[\"/probe\", \"ids\", \"caps\", \"nnp\", \"rlimits\"]" \
		"\"capabilities\": { \"bounding\": [ \"CAP_CHOWN\" ], \"effective\": [ \"CAP_CHOWN\" ], \"permitted\": [ \"CAP_CHOWN\" ] },
	\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 99, \"soft\": 98 } ],
	\"noNewPrivileges\": true, \"user\": { \"uid\": 5, \"gid\": 6, \"additionalGids\": [ 7 ] }" &&
	oci exec -p p2.json exec-c >out &&
	test_grep out "^uid: 5$" &&
	test_grep out "^gid: 6$" &&
	test_grep out "^groups: 7$" &&
	test_grep out "^CapBnd: 0+1$" &&
	test_grep out "^RLIMIT_NOFILE: 98 99$" &&
	test_grep out "^NoNewPrivs: 1$"
'

test_expect_success 'a bad process.json fails with its path and the JSON path' '
	echo "{ \"args\": [], \"cwd\": \"/\" }" >bad.json &&
	test_expect_code 255 oci exec -p bad.json exec-c 2>err &&
	test_grep err "^ocimin: .*bad.json: .*args" &&
	test_expect_code 2 oci exec -p p.json exec-c true 2>err &&
	test_expect_code 255 oci exec -p nosuch.json exec-c 2>err &&
	test_grep err "^ocimin: .*nosuch.json"
'

test_expect_success 'exec forwards the signals it gets to the process' '
	printf "%s\n" "trap \"echo got-usr1 >>/shared/sig\" USR1" \
		"trap \"echo got-term >>/shared/sig; exit 7\" TERM" \
		"touch /shared/exec-ready" "while :; do sleep 0.05; done" >b/shared/sig.sh &&
	oci_bg exec exec-c sh /shared/sig.sh &&
	wait_file b/shared/exec-ready &&
	kill -USR1 "$oci_pid" &&
	retry 100 grep -q got-usr1 b/shared/sig &&
	kill -TERM "$oci_pid" &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 7 &&
	test_grep b/shared/sig "^got-term$"
'

test_expect_success '--detach returns at once; --pid-file holds the process'"'"'s pid' '
	rm -f b/shared/detached &&
	oci exec -d --pid-file "$TRASH/exec.pid" exec-c sh -c "sleep 0.3; touch /shared/detached; sleep 30" &&
	test ! -e b/shared/detached &&
	pid=$(cat exec.pid) &&
	test "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$(state_field exec-c pid)/ns/pid)" &&
	wait_file b/shared/detached &&
	test_grep_not /proc/$pid/cmdline ocimin &&
	cmp "/proc/$pid/exe" b/rootfs/bin/busybox &&
	ls -a "$TRASH" >files &&
	test_grep_not files "exec\.pid." &&
	kill "$pid" &&
	retry 100 gone "$pid"
'

test_expect_success 'a relative --pid-file is relative to the caller'"'"'s directory' '
	mkdir -p sub &&
	(cd sub && oci exec -d --pid-file rel.pid exec-c true) &&
	test -s sub/rel.pid
'

test_expect_success 'no fd of ocimin or the caller reaches the process, unless preserved' '
	oci exec exec-c /probe fds 5</dev/null 7>>out7 >out &&
	test_grep out "^fds:$" &&
	oci exec --preserve-fds 2 exec-c /probe fds 3<b/config.json 4>>out4 >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^fd 3: .*/config.json$" &&
	test_expect_code 255 oci exec --preserve-fds 3 exec-c /probe fds 3</dev/null 4</dev/null 2>err &&
	test_grep err "^ocimin: .*fd 5"
'

test_expect_success 'the cwd cannot be outside the container: no host fd is left to reach it' '
	for n in 3 4 5 6 7 8 9 10 11 12; do
		test_expect_code 255 oci exec --cwd /proc/self/fd/$n exec-c pwd 2>err >out || exit 1
		test_grep_not out "^/" || exit 1
	done &&
	test_expect_code 255 oci exec --preserve-fds 1 --cwd /proc/self/fd/3 exec-c pwd 3<"$TRASH" 2>err &&
	test_grep err "^ocimin: .*outside the container" &&
	test_expect_code 255 oci exec --cwd /nosuch exec-c pwd 2>err &&
	test_grep err "^ocimin: .*/nosuch"
'

test_expect_success 'exec into a created container runs in it before its payload does' '
	make_sh_bundle b3 "$WAITER" &&
	oci create -b b3 exec-c3 &&
	oci exec exec-c3 /probe hostname >out &&
	test_grep out ocimin-test &&
	status_is exec-c3 created &&
	test ! -e b3/shared/started &&
	oci delete -f exec-c3 &&
	no_state exec-c3
'

test_expect_success 'exec into a stopped or missing container fails' '
	make_bundle b4 "[\"/bin/true\"]" &&
	oci run --keep -b b4 exec-c4 &&
	status_is exec-c4 stopped &&
	test_expect_code 255 oci exec exec-c4 true 2>err &&
	test_grep err "^ocimin: cannot exec in a stopped container" &&
	oci delete exec-c4 &&
	test_expect_code 255 oci exec nosuch true 2>err &&
	test_grep err "^ocimin: .*nosuch" &&
	no_state exec-c4
'

test_expect_success 'a container without a pid namespace is joined too' '
	make_sh_bundle b5 "$WAITER" &&
	config_set b5 namespaces "[ { \"type\": \"mount\" }, { \"type\": \"uts\" }, { \"type\": \"ipc\" } ]" &&
	oci run -d -b b5 exec-c5 &&
	wait_file b5/shared/started &&
	pid=$(state_field exec-c5 pid) &&
	oci exec exec-c5 /probe ns hostname >out &&
	grep -qxF "mnt: $(readlink /proc/$pid/ns/mnt)" out &&
	grep -qxF "uts: $(readlink /proc/$pid/ns/uts)" out &&
	grep -qxF "pid: $(readlink /proc/self/ns/pid)" out &&
	oci delete -f exec-c5 &&
	no_state exec-c5
'

test_expect_success 'cleanup' '
	touch b/shared/stop &&
	retry 100 status_is exec-c stopped &&
	oci delete exec-c &&
	check_nothing_left
'

test_expect_success 'the time namespace and its clocks are joined too' '
	if [ ! -e /proc/self/ns/time ]; then say "no time namespaces here"; exit 0; fi &&
	make_sh_bundle b7 "$WAITER" \
		"\"timeOffsets\": { \"monotonic\": { \"secs\": 86400 }, \"boottime\": { \"secs\": 172800 } }" &&
	config_set b7 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"time\" } ]" &&
	oci run -d -b b7 exec-c7 &&
	wait_file b7/shared/started &&
	pid=$(state_field exec-c7 pid) &&
	oci exec exec-c7 /probe ns clocks >out &&
	grep -qxF "time: $(readlink /proc/$pid/ns/time)" out &&
	up=$(sed -n "s/^monotonic: \([0-9]*\).*/\1/p" out) &&
	test "$up" -ge 86400 &&
	oci delete -f exec-c7 &&
	no_state exec-c7
'

test_expect_success 'a container with a user namespace is joined as its mapped root' '
	if [ ! -e /proc/self/ns/user ]; then say "no user namespaces here"; exit 0; fi &&
	make_sh_bundle b8 "$WAITER" \
		"\"uidMappings\": [ { \"containerID\": 0, \"hostID\": 300000, \"size\": 65536 } ], \"gidMappings\": [ { \"containerID\": 0, \"hostID\": 300000, \"size\": 65536 } ]" &&
	config_set b8 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"user\" } ]" &&
	chown -R 300000:300000 b8/rootfs b8/shared &&
	oci run -d -b b8 exec-c8 &&
	wait_file b8/shared/started &&
	pid=$(state_field exec-c8 pid) &&
	oci exec -u 1000:1000 -g 5 exec-c8 /probe ns ids >out &&
	grep -qxF "user: $(readlink /proc/$pid/ns/user)" out &&
	grep -qxF "mnt: $(readlink /proc/$pid/ns/mnt)" out &&
	test_grep out "^uid: 1000$" &&
	test_grep out "^groups: 5$" &&
	oci exec -d --pid-file "$TRASH/u.pid" exec-c8 sleep 30 &&
	upid=$(cat u.pid) &&
	test "$(stat -c %u /proc/$upid)" = 300000 &&
	kill "$upid" &&
	oci delete -f exec-c8 &&
	no_state exec-c8
'

test_expect_success 'process.apparmorProfile applies to the init; without AppArmor create fails' '
	make_bundle b9 "[\"/bin/cat\", \"/proc/self/attr/current\"]" &&
	if apparmor; then
		config_set b9 noNewPrivileges "true, \"apparmorProfile\": \"unconfined\"" &&
		oci run -b b9 exec-c9 >out &&
		test_grep out "^unconfined"
	else
		config_set b9 noNewPrivileges "true, \"apparmorProfile\": \"some-profile\"" &&
		test_must_fail oci create -b b9 exec-c9 2>err &&
		test_grep err "^ocimin: .*process.apparmorProfile: AppArmor is not enabled on this host"
	fi &&
	no_state exec-c9
'

has_cgroup() {
	make_sh_bundle b6 "$WAITER" >/dev/null 2>&1 &&
	oci create -b b6 exec-cg >/dev/null 2>&1 &&
	cg=$(cgroup_of exec-cg) &&
	oci delete -f exec-cg >/dev/null 2>&1 &&
	[ -n "$cg" ]
}
test_skip_unless has_cgroup 'containers get a cgroup (a writable cgroup2 mount)'

test_expect_success 'the process joins the container'"'"'s cgroup' '
	oci run -d -b b6 exec-c &&
	wait_file b6/shared/started &&
	oci exec -d --pid-file "$TRASH/cg.pid" exec-c sleep 30 &&
	pid=$(cat cg.pid) &&
	test_cmp /proc/$(state_field exec-c pid)/cgroup /proc/$pid/cgroup &&
	kill "$pid"
'

test_expect_success '--cgroup puts it in a sub-cgroup of the container'"'"'s, never out of it' '
	mkdir "$(cgroup_of exec-c)/sub" &&
	oci exec -d --pid-file "$TRASH/cg.pid" --cgroup sub exec-c sleep 30 &&
	pid=$(cat cg.pid) &&
	test_grep "$(cgroup_of exec-c)/sub/cgroup.procs" "^$pid$" &&
	kill "$pid" &&
	retry 100 gone "$pid" &&
	test_expect_code 255 oci exec --cgroup ../x exec-c true 2>err &&
	test_grep err "^ocimin: .*--cgroup" &&
	test_expect_code 255 oci exec --cgroup nosub exec-c true 2>err &&
	test_grep err "^ocimin: .*nosub" &&
	rmdir "$(cgroup_of exec-c)/sub"
'

test_expect_success 'exec into a paused container fails unless --ignore-paused' '
	oci pause exec-c &&
	test_expect_code 255 oci exec exec-c true 2>err &&
	test_grep err "^ocimin: cannot exec in a paused container" &&
	oci resume exec-c &&
	oci exec exec-c true &&
	oci delete -f exec-c &&
	check_nothing_left
'

test_done
