#!/bin/sh
test_description='a client that drives ocimin as containerd'"'"'s runc shim does'
. "$(dirname "$0")/lib.sh"

RECVTTY=${RECVTTY:-$TEST_DIR/recvtty}

# The shim's way to call the runtime: --root, a json log, --log-format json.
shim() { oci --log "$TRASH/log.json" --log-format json "$@"; }

# log_is_json: every line of the log is one {"level","msg","time"} object
log_is_json() {
	test -s log.json &&
	test_grep_not log.json '^[^{]' &&
	test_grep_not log.json '[^}]$' &&
	test_grep log.json '^\{"level":"[a-z]+","msg":".*","time":"[0-9T:.Z-]+"\}$'
}

# The init: a shell on the pty, which says where it is and waits.
INIT='echo "init on $(tty)"
touch /shared/started
while [ ! -e /shared/stop ]; do sleep 0.05; done
echo "init done"'

test_expect_success 'create with a console socket, read the master, start, exec, kill, delete' '
	make_sh_bundle b "$INIT" &&
	config_set b terminal true &&
	ln -s busybox b/rootfs/bin/tty &&
	rm -f sock.ready &&
	{ env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --ready sock.ready --out console.out "$TRASH/sock" 2>recv.err & recv_pid=$!; } &&
	wait_file sock.ready &&
	shim create --bundle "$TRASH/b" --pid-file "$TRASH/b/init.pid" --console-socket "$TRASH/sock" shim-c &&
	retry 100 test -s recv.err &&
	test_grep recv.err "received /dev/ptmx" &&
	test "$(cat b/init.pid)" = "$(state_field shim-c pid)" &&
	status_is shim-c created &&
	shim start shim-c &&
	wait_file b/shared/started &&
	status_is shim-c running &&
	cat >process.json <<-EOF &&
	{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh","-c","echo exec-out; echo exec-err >&2; touch /shared/exec-ran; while :; do sleep 0.05; done"],"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","OCIMIN_TEST_MARK=$MARK"],"cwd":"/","capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]},"noNewPrivileges":true}
	EOF
	shim exec --process "$TRASH/process.json" --detach --pid-file "$TRASH/exec.pid" shim-c >exec.out 2>exec.err &&
	wait_file b/shared/exec-ran &&
	epid=$(cat exec.pid) &&
	test "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$(cat b/init.pid)/ns/pid)" &&
	test "$(readlink /proc/$epid/ns/mnt)" = "$(readlink /proc/$(cat b/init.pid)/ns/mnt)" &&
	retry 100 grep -q exec-out exec.out &&
	retry 100 grep -q exec-err exec.err &&
	kill -KILL "$epid" &&
	retry 100 gone "$epid" &&
	shim kill shim-c KILL &&
	wait "$recv_pid" &&
	retry 100 status_is shim-c stopped &&
	shim delete shim-c &&
	tr -d "\r" <console.out >console &&
	test_grep console "^init on /dev/pts/0$" &&
	check_nothing_left &&
	test_grep_not log.json "\"level\":\"error\""
'

test_expect_success 'a failed create is one json error line in the log' '
	make_bundle b2 "[\"/nosuch\"]" &&
	: >log.json &&
	test_must_fail shim create --bundle "$TRASH/b2" --pid-file "$TRASH/b2/init.pid" shim-c2 2>err &&
	log_is_json &&
	test_grep log.json "\"level\":\"error\",\"msg\":\"[^\"]*/nosuch" &&
	test ! -e b2/init.pid &&
	check_nothing_left
'

test_expect_success 'a failed exec is a json error line in the log, exit status 255' '
	make_sh_bundle b3 "$WAITER" &&
	shim create --bundle "$TRASH/b3" shim-c3 &&
	shim start shim-c3 &&
	wait_file b3/shared/started &&
	cat >bad.json <<-EOF &&
	{"terminal":false,"user":{"uid":0,"gid":0},"args":["/nosuch-binary"],"cwd":"/","env":["PATH=/bin"]}
	EOF
	: >log.json &&
	test_expect_code 255 shim exec --process "$TRASH/bad.json" --detach --pid-file "$TRASH/bad.pid" shim-c3 2>err &&
	log_is_json &&
	test_grep log.json "\"level\":\"error\",\"msg\":\"[^\"]*/nosuch-binary" &&
	test ! -e bad.pid &&
	: >log.json &&
	test_expect_code 255 shim exec --process "$TRASH/nosuch.json" --detach shim-c3 2>err &&
	log_is_json &&
	test_grep log.json "nosuch.json" &&
	touch b3/shared/stop &&
	retry 100 status_is shim-c3 stopped &&
	shim delete shim-c3 &&
	check_nothing_left
'

test_expect_success 'exec with a terminal as the shim asks for it: --process, --console-socket, --detach' '
	make_sh_bundle b4 "$WAITER" &&
	ln -s busybox b4/rootfs/bin/tty &&
	shim create --bundle "$TRASH/b4" shim-c4 &&
	shim start shim-c4 &&
	wait_file b4/shared/started &&
	cat >tty.json <<-EOF &&
	{"terminal":true,"consoleSize":{"height":10,"width":40},"user":{"uid":0,"gid":0},"args":["sh","-c","tty; echo bye"],"cwd":"/","env":["PATH=/bin","OCIMIN_TEST_MARK=$MARK"]}
	EOF
	rm -f sock4.ready &&
	{ env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --ready sock4.ready --out tty.out "$TRASH/sock4" 2>/dev/null & recv_pid=$!; } &&
	wait_file sock4.ready &&
	shim exec --process "$TRASH/tty.json" --detach --pid-file "$TRASH/tty.pid" --console-socket "$TRASH/sock4" shim-c4 &&
	test -s tty.pid &&
	wait "$recv_pid" &&
	tr -d "\r" <tty.out >tty &&
	test_grep tty "^/dev/pts/0$" &&
	test_grep tty "^bye$" &&
	touch b4/shared/stop &&
	retry 100 status_is shim-c4 stopped &&
	shim delete shim-c4 &&
	check_nothing_left
'

test_done
