#!/bin/sh
test_description='an unprivileged user runs containers: spec --rootless, state under XDG_RUNTIME_DIR'
. "$(dirname "$0")/lib.sh"

TEST_USER=ocimin-test

# Unprivileged user namespaces: off with kernel.unprivileged_userns_clone=0
# (Debian before 11), user.max_user_namespaces=0, or Ubuntu's AppArmor
# restriction; root is needed to make the test user and to run as it.
unprivileged_userns() {
	test "$(id -u)" = 0 &&
	test -e /proc/self/ns/user &&
	test "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 &&
	{ test ! -e /proc/sys/kernel/unprivileged_userns_clone ||
	  test "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 1; } &&
	{ test ! -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ||
	  test "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns)" = 0; }
}
test_skip_unless unprivileged_userns 'root, and unprivileged user namespaces allowed by the kernel'

# The test user, made once and kept: with useradd (shadow), busybox
# adduser, or where neither is (the VM's busybox) lines of its own in
# /etc/passwd and /etc/group, with an id no one has.
make_test_user() {
	id "$TEST_USER" >/dev/null 2>&1 && return 0
	if command -v useradd >/dev/null 2>&1; then
		useradd -M -d / -s /bin/sh "$TEST_USER"
	elif command -v adduser >/dev/null 2>&1; then
		adduser -D -H -h / -s /bin/sh "$TEST_USER"
	else
		mtu_id=45678
		while cut -d: -f3 /etc/passwd /etc/group | grep -qx "$mtu_id"; do
			mtu_id=$((mtu_id + 1))
		done
		echo "$TEST_USER:x:$mtu_id:$mtu_id::/:/bin/sh" >>/etc/passwd &&
		echo "$TEST_USER:x:$mtu_id:" >>/etc/group
	fi
	id "$TEST_USER" >/dev/null 2>&1
}

# as_user CMD: CMD run by sh as the test user in $TRASH, with its
# XDG_RUNTIME_DIR and this file's mark.
as_user() {
	su -s /bin/sh "$TEST_USER" -c "cd '$TRASH' && export XDG_RUNTIME_DIR='$TRASH/xdg' OCIMIN_TEST_MARK='$MARK' && $1"
}

# uoci ARGS...: ocimin as the test user (ARGS without quotes or spaces)
uoci() { as_user "'$OCIMIN' $*"; }

# user_bundle DIR SCRIPT: `ocimin spec --rootless` made by the test user,
# running `sh /payload` (SCRIPT) without a terminal, with a writable
# /shared, all owned by the user.
user_bundle() {
	mkdir -p "$1" && make_rootfs "$1/rootfs" &&
	printf '%s\n' "$2" >"$1/rootfs/payload" &&
	mkdir -p "$1/shared" "$1/rootfs/shared" &&
	chown -R "$TEST_USER" "$1" &&
	as_user "'$OCIMIN' spec --rootless --bundle '$1'" &&
	sed -e 's/"terminal": true/"terminal": false/' \
	    -e 's|^\([[:space:]]*\)"sh"$|\1"/bin/sh", "/payload"|' \
	    -e "s|\"TERM=xterm\"|\"TERM=xterm\", \"OCIMIN_TEST_MARK=$MARK\"|" \
	    "$1/config.json" >"$1/config.new" &&
	mv "$1/config.new" "$1/config.json" &&
	add_shared "$1" &&
	chown -R "$TEST_USER" "$1"
}

STATE=$TRASH/xdg/ocimin
# what lib.sh cleans and checks is the test user's state
ROOT=$STATE

test_expect_success 'setup: the test user and its XDG_RUNTIME_DIR' '
	make_test_user &&
	mkdir -p "$TRASH/xdg" &&
	chown "$TEST_USER" "$TRASH/xdg" &&
	chmod 700 "$TRASH/xdg" &&
	as_user "test -w \"\$XDG_RUNTIME_DIR\""
'

test_expect_success 'spec --rootless maps only the caller, with a user namespace and no network namespace' '
	mkdir -p s && chown "$TEST_USER" s &&
	as_user "cd s && '"'"'$OCIMIN'"'"' spec --rootless" &&
	uid=$(id -u "$TEST_USER") && gid=$(id -g "$TEST_USER") &&
	tr -d " \t\n" <s/config.json >flat &&
	test_grep flat "\"uidMappings\":\[\{\"containerID\":0,\"hostID\":$uid,\"size\":1\}\]" &&
	test_grep flat "\"gidMappings\":\[\{\"containerID\":0,\"hostID\":$gid,\"size\":1\}\]" &&
	test_grep flat "\{\"type\":\"user\"\}" &&
	test_grep_not flat "\"network\"|\"resources\""
'

test_expect_success 'an unprivileged user runs the spec --rootless config: root inside, itself outside' '
	user_bundle b "id -u >/shared/id; cat /proc/self/uid_map | tr -s \" \" >/shared/maps; touch /shared/new; exit 3" &&
	test_expect_code 3 uoci "run -b b r1" &&
	test "$(cat b/shared/id)" = 0 &&
	test "$(cat b/shared/maps)" = " 0 $(id -u $TEST_USER) 1" &&
	test "$(stat -c %U b/shared/new)" = "$TEST_USER" &&
	check_nothing_left
'

test_expect_success 'its state lives in $XDG_RUNTIME_DIR/ocimin, and the lifecycle works' '
	user_bundle b2 "$WAITER" &&
	uoci "create -b b2 r2" &&
	test -d "$STATE/r2" &&
	test "$(stat -c %U "$STATE/r2")" = "$TEST_USER" &&
	uoci "state r2" >st &&
	test_grep st "\"status\": *\"created\"" &&
	uoci "start r2" &&
	wait_file b2/shared/started &&
	pid=$(state_field r2 pid) &&
	grep "^Uid:[[:space:]]*$(id -u $TEST_USER)[[:space:]]" /proc/$pid/status &&
	uoci "list -q" >list &&
	test "$(cat list)" = r2 &&
	uoci "kill r2 KILL" &&
	retry 100 status_is r2 stopped &&
	uoci "delete r2" &&
	check_nothing_left
'

test_expect_success 'no cgroup is made for a user who was not delegated one' '
	cg=$(sed -n "s/^[^ ]* \([^ ]*\) cgroup2 .*/\1/p" /proc/mounts | head -n 1) &&
	user_bundle b3 "cat /proc/self/cgroup >/shared/cgroup" &&
	uoci "run -b b3 r3" &&
	{ test -z "$cg" || test ! -e "$cg/ocimin/r3"; } &&
	check_nothing_left
'

test_expect_success 'mapping ids other than its own fails with a clear error, leaving nothing' '
	user_bundle b4 "true" &&
	sed "s/\"size\": 1/\"size\": 2/" b4/config.json >b4/config.new &&
	mv b4/config.new b4/config.json && chown "$TEST_USER" b4/config.json &&
	test_must_fail uoci "run -b b4 r4" 2>err &&
	test_grep err "^ocimin: write linux.(uid|gid)Mappings to /proc/[0-9]+/(uid|gid)_map: Operation not permitted \(without root only one range of size 1, the caller.s own id, can be mapped\)$" &&
	check_nothing_left
'

test_expect_success 'hooks run as the user' '
	user_bundle b5 "true" &&
	sed "s|^{|{ \"hooks\": { \"createRuntime\": [ { \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"id -u >$TRASH/b5/shared/hook\" ] } ] },|" \
		b5/config.json >b5/config.new &&
	mv b5/config.new b5/config.json && chown "$TEST_USER" b5/config.json &&
	uoci "run -b b5 r5" &&
	test "$(cat b5/shared/hook)" = "$(id -u $TEST_USER)" &&
	check_nothing_left
'

# hook.sh KIND LOG: appends "KIND PID" to LOG, PID read from the state
# on its stdin.
cat >"$TRASH/hook.sh" <<'EOF'
#!/bin/sh
st=$(cat)
echo "$1 $(printf '%s' "$st" | tr -d '\n' | sed -n 's/.*"pid"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p')" >>"$2"
EOF
chmod 755 "$TRASH/hook.sh"

# hook_json KIND [PATH LOG]: a hook object running hook.sh, logging to
# b6's shared/log (PATH and LOG for one run after pivot_root)
hook_json() {
	printf '{ "path": "%s", "args": [ "hook.sh", "%s", "%s" ] }' \
		"${2:-$TRASH/hook.sh}" "$1" "${3:-$TRASH/b6/shared/log}"
}

# runtime.md: hooks read the init's pid as seen where they run, the
# host's (`ocimin state`'s) on the host, 1 in the container's namespaces.
test_expect_success 'hooks get the pid of the init: the host'"'"'s on the host, 1 in the container' '
	user_bundle b6 "$WAITER" &&
	cp hook.sh b6/rootfs/hook.sh &&
	hooks="\"prestart\": [ $(hook_json prestart) ], \"createRuntime\": [ $(hook_json createRuntime) ],
		\"createContainer\": [ $(hook_json createContainer) ],
		\"startContainer\": [ $(hook_json startContainer /hook.sh /shared/log) ],
		\"poststart\": [ $(hook_json poststart) ]" &&
	sed "s|^{|{ \"hooks\": { $(echo $hooks) },|" b6/config.json >b6/config.new &&
	mv b6/config.new b6/config.json && chown "$TEST_USER" b6/config.json &&
	uoci "create -b b6 r6" &&
	pid=$(state_field r6 pid) &&
	printf "prestart $pid\ncreateRuntime $pid\ncreateContainer 1\n" >expect &&
	test_cmp expect b6/shared/log &&
	uoci "start r6" &&
	wait_file b6/shared/started &&
	printf "startContainer 1\npoststart $pid\n" >>expect &&
	test_cmp expect b6/shared/log &&
	test "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)"
'

# ns_of PID: "type: target" of the namespaces of PID, one per line
ns_of() {
	for n in cgroup ipc mnt net pid time user uts; do
		[ -e "/proc/$1/ns/$n" ] && echo "$n: $(readlink "/proc/$1/ns/$n")"
	done
}

test_expect_success 'exec as the user joins every namespace of its container, its user namespace too' '
	pid=$(state_field r6 pid) &&
	ns_of "$pid" >expect &&
	uoci "exec r6 /probe ns" >out &&
	grep -E "^(cgroup|ipc|mnt|net|pid|time|user|uts): " out | sort >actual &&
	test_cmp expect actual &&
	grep -qxF "pid_for_children: $(readlink /proc/$pid/ns/pid)" out
'

test_expect_success 'exec as the user: root inside, exits with the process'"'"'s status' '
	uoci "exec r6 /probe ids pid" >out &&
	test_grep out "^uid: 0$" &&
	test_grep out "^pid: [0-9]+$" &&
	test_grep_not out "^pid: 1$" &&
	printf "exit 42\n" >b6/shared/exit42 &&
	test_expect_code 42 uoci "exec r6 sh /shared/exit42" &&
	status_is r6 running
'

test_expect_success 'exec as the user: --env, --cwd and --process' '
	uoci "exec --cwd /tmp --env NEW=1 r6 /probe cwd env" >out &&
	test_grep out "^cwd: /tmp$" &&
	test_grep out "^env: NEW=1$" &&
	printf "%s\n" "{ \"terminal\": false, \"user\": { \"uid\": 0, \"gid\": 0 }," \
		"\"args\": [ \"/probe\", \"cwd\", \"env\" ], \"cwd\": \"/shared\"," \
		"\"env\": [ \"PATH=/bin\", \"FROM=process.json\", \"OCIMIN_TEST_MARK=$MARK\" ] }" >p.json &&
	uoci "exec --process $TRASH/p.json r6" >out &&
	test_grep out "^cwd: /shared$" &&
	test_grep out "^env: FROM=process.json$" &&
	test_grep_not out "^env: TERM="
'

test_expect_success 'exec --detach --pid-file as the user: the process is the user'"'"'s, in the container'"'"'s namespaces' '
	mkdir -p u && chown "$TEST_USER" u &&
	uoci "exec -d --pid-file $TRASH/u/e.pid r6 sleep 30" &&
	epid=$(cat u/e.pid) &&
	pid=$(state_field r6 pid) &&
	for n in pid user mnt; do
		test "$(readlink /proc/$epid/ns/$n)" = "$(readlink /proc/$pid/ns/$n)" || exit 1
	done &&
	grep "^Uid:[[:space:]]*$(id -u $TEST_USER)[[:space:]]" /proc/$epid/status &&
	kill "$epid" &&
	retry 100 gone "$epid"
'

RECVTTY=${RECVTTY:-$TEST_DIR/recvtty}

# recv_user NAME ARGS...: recvtty ARGS as the user in the background
# ($recv_pid), listening on u/NAME.sock once this returns, its stderr in
# u/NAME.err
recv_user() {
	ru_name=$1
	shift
	{ as_user "'$RECVTTY' --ready u/$ru_name.ready $* u/$ru_name.sock 2>u/$ru_name.err" & recv_pid=$!; } &&
	wait_file "u/$ru_name.ready"
}

test_expect_success '--pidfd-socket as the user: a pidfd of the exec'"'"'d process, of the init' '
	recv_user p1 --pidfd --kill 9 &&
	uoci "exec -d --pid-file $TRASH/u/p.pid --pidfd-socket $TRASH/u/p1.sock r6 sleep 30" &&
	wait "$recv_pid" &&
	test_grep u/p1.err "^recvtty: received setns: pid $(cat u/p.pid)$" &&
	test_grep u/p1.err "^recvtty: pid $(cat u/p.pid) exited$" &&
	recv_user p2 --pidfd &&
	user_bundle b7 "$WAITER" &&
	uoci "run -d --pidfd-socket $TRASH/u/p2.sock -b b7 r7" &&
	wait "$recv_pid" &&
	test_grep u/p2.err "^recvtty: received standard: pid $(state_field r7 pid)$" &&
	uoci "delete -f r7" &&
	touch b6/shared/stop &&
	retry 100 status_is r6 stopped &&
	uoci "delete r6" &&
	check_nothing_left
'

# tty_bundle DIR SCRIPT: user_bundle with process.terminal and the tty
# and stty applets
tty_bundle() {
	user_bundle "$1" "$2" &&
	config_set "$1" terminal true &&
	ln -s busybox "$1/rootfs/bin/tty" &&
	ln -s busybox "$1/rootfs/bin/stty"
}

TTY_INFO='echo "tty: $(tty)"
echo "fd0: $(readlink /proc/$$/fd/0)"
echo "size: $(stty size)"
echo "devpts: $(stat -c %d /dev/pts/ptmx) stdin: $(stat -L -c %d /proc/$$/fd/0)"
echo ctty >/dev/tty && echo "ctty: yes"'

test_expect_success 'create as the user sends the pty master to its console socket; the process'"'"'s terminal is that pty, of the container'"'"'s devpts' '
	tty_bundle b8 "$TTY_INFO" &&
	config_set b8 terminal "true, \"consoleSize\": { \"height\": 25, \"width\": 90 }" &&
	recv_user c8 --out u/out8 &&
	uoci "create --console-socket $TRASH/u/c8.sock -b b8 r8" &&
	retry 100 test -s u/c8.err &&
	test_grep u/c8.err "^recvtty: received /dev/ptmx: pty 0$" &&
	uoci "start r8" &&
	wait "$recv_pid" &&
	tr -d "\r" <u/out8 >info8 &&
	test_grep info8 "^tty: /dev/pts/0$" &&
	test_grep info8 "^fd0: /dev/pts/0$" &&
	test_grep info8 "^size: 25 90$" &&
	test_grep info8 "^ctty: yes$" &&
	devpts=$(sed -n "s/^devpts: \([0-9]*\) stdin: .*/\1/p" info8) &&
	test_grep info8 "^devpts: $devpts stdin: $devpts$" &&
	test "$devpts" != "$(stat -c %d /dev/pts/ptmx)" &&
	retry 100 status_is r8 stopped &&
	uoci "delete r8" &&
	check_nothing_left
'

test_expect_success 'a foreground run as the user relays the terminal: size from its own, exit status' '
	tty_bundle b9 "$TTY_INFO
exit 3" &&
	test_expect_code 3 as_user "'"'"'$RECVTTY'"'"' --exec --size 30x100 --out u/out9 -- '"'"'$OCIMIN'"'"' run -b b9 r9" &&
	tr -d "\r" <u/out9 >info9 &&
	test_grep info9 "^tty: /dev/pts/0$" &&
	test_grep info9 "^size: 30 100$" &&
	test_grep info9 "^ctty: yes$" &&
	check_nothing_left
'

test_expect_success 'exec --tty as the user: a new pty of the container, to its console socket or relayed' '
	user_bundle b12 "$WAITER" &&
	ln -s busybox b12/rootfs/bin/tty &&
	ln -s busybox b12/rootfs/bin/stty &&
	uoci "run -d -b b12 r12" &&
	wait_file b12/shared/started &&
	printf "%s\n" "$TTY_INFO" >b12/shared/info &&
	recv_user c12 --out u/out12 &&
	uoci "exec -t -d --console-socket $TRASH/u/c12.sock r12 sh /shared/info" &&
	wait "$recv_pid" &&
	tr -d "\r" <u/out12 >info12 &&
	test_grep info12 "^tty: /dev/pts/0$" &&
	test_grep info12 "^ctty: yes$" &&
	test_expect_code 5 as_user "'"'"'$RECVTTY'"'"' --exec --size 20x60 --out u/out13 -- '"'"'$OCIMIN'"'"' exec -t r12 sh -c \"stty size; exit 5\"" &&
	tr -d "\r" <u/out13 >info13 &&
	test_grep info13 "^20 60$" &&
	uoci "delete -f r12" &&
	check_nothing_left
'

# Idmapping a mount takes CAP_SYS_ADMIN over the mount namespace the
# tree is cloned from (open_tree) and over the source's filesystem
# (mount_setattr): an unprivileged user has neither on the host, on any
# kernel (runc refuses it to a non-root caller outright). ocimin says so.
IDMAP_ERR="clone: Operation not permitted \\(idmapped mounts need CAP_SYS_ADMIN over the mount namespace and the source.s filesystem, which an unprivileged user does not have\\)$"

test_expect_success '--preserve-fds as the user passes fds 3 .. 3+N-1, nothing else' '
	user_bundle bpf "exec /probe fds env" &&
	as_user "'"'$OCIMIN'"' run --preserve-fds 2 -b bpf rpf1 3<bpf/config.json 4</dev/null" >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^fd 3: .*/bpf/config.json$" &&
	as_user "'"'$OCIMIN'"' run -b bpf rpf1 3</dev/null" >out &&
	test_grep out "^fds:$" &&
	check_nothing_left rpf1
'

# As systemd starts a service: LISTEN_PID is the pid of the shell that
# execs ocimin.
test_expect_success 'socket activation as the user: LISTEN_FDS fds, then the --preserve-fds ones' '
	printf "%s\n" "LISTEN_FDS=1 LISTEN_PID=\$\$ exec \"\$@\"" >activate.sh &&
	as_user "sh activate.sh '"'$OCIMIN'"' run --preserve-fds 1 -b bpf rpf2 3<bpf/config.json 4</dev/null" >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^fd 3: .*/bpf/config.json$" &&
	test_grep out "^env: LISTEN_FDS=1$" &&
	test_grep out "^env: LISTEN_PID=1$" &&
	check_nothing_left rpf2
'

test_expect_success '--log-format json as the user: errors as JSON lines, to --log or stderr' '
	test_must_fail as_user "'"'$OCIMIN'"' --log $TRASH/xdg/ulog.json --log-format json state nosuch" &&
	test_grep xdg/ulog.json "^\{.*\"level\": *\"error\".*\}$" &&
	test_grep xdg/ulog.json "\"msg\": *\"[^\"]*nosuch" &&
	test_must_fail as_user "'"'$OCIMIN'"' --log-format json delete nosuch" 2>err &&
	test_grep err "^\{.*\"level\": *\"error\".*\"msg\": *\"[^\"]*nosuch.*\}$"
'

test_expect_success 'an idmapped mount as the user fails create, saying what it takes' '
	mkdir -p src && touch src/f && chown -R "$TEST_USER" src &&
	user_bundle b10 "stat -c %u /idm/f" &&
	add_mounts b10 "{ \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$TRASH/src\", \"options\": [ \"bind\", \"idmap\" ] }" &&
	chown "$TEST_USER" b10/config.json &&
	test_must_fail uoci "run -b b10 r10" 2>err &&
	test_grep err "^ocimin: mount $TRASH/src on /idm: $IDMAP_ERR" &&
	uid=$(id -u "$TEST_USER") &&
	user_bundle b11 "stat -c %u /idm/f" &&
	add_mounts b11 "{ \"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"$TRASH/src\", \"options\": [ \"bind\" ],
		\"uidMappings\": [ { \"containerID\": 0, \"hostID\": $uid, \"size\": 1 } ],
		\"gidMappings\": [ { \"containerID\": 0, \"hostID\": $uid, \"size\": 1 } ] }" &&
	chown "$TEST_USER" b11/config.json &&
	test_must_fail uoci "run -b b11 r11" 2>err &&
	test_grep err "^ocimin: mount $TRASH/src on /idm: $IDMAP_ERR" &&
	check_nothing_left
'

test_done
