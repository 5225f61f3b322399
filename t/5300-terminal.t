#!/bin/sh
test_description='process.terminal: a pty from the container'"'"'s devpts, sent to a console socket or relayed by ocimin'
. "$(dirname "$0")/lib.sh"

RECVTTY=${RECVTTY:-$TEST_DIR/recvtty}

# tty_applets DIR: the tty and stty applets in DIR's rootfs
tty_applets() {
	ln -s busybox "$1/rootfs/bin/tty" &&
	ln -s busybox "$1/rootfs/bin/stty"
}

# tty_bundle DIR SCRIPT: make_sh_bundle with process.terminal true and
# the tty and stty applets
tty_bundle() {
	make_sh_bundle "$1" "$2" &&
	config_set "$1" terminal true &&
	tty_applets "$1"
}

# delete_stopped ID: once ID has stopped, delete leaves nothing behind
delete_stopped() {
	retry 100 status_is "$1" stopped &&
	oci delete "$1" &&
	check_nothing_left
}

# recv SOCKET OUT: a console socket receiver in the background ($recv_pid),
# listening once this returns
recv() {
	rm -f "$1.ready" &&
	{ env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --ready "$1.ready" --out "$2" "$1" 2>"$2.err" & recv_pid=$!; } &&
	wait_file "$1.ready"
}

# What a process learns about its terminal.
TTY_INFO='echo "tty: $(tty)"
for fd in 0 1 2; do echo "fd$fd: $(readlink /proc/$$/fd/$fd)"; done
echo "size: $(stty size 2>/dev/null)"
echo "devpts: $(stat -c %d /dev/pts/ptmx) stdin: $(stat -L -c %d /proc/$$/fd/0)"
echo ctty >/dev/tty && echo "ctty: yes"
echo "sid: $(cut -d" " -f6 /proc/self/stat) pid: $$"'

test_expect_success 'create with a terminal and no console socket fails and leaves nothing' '
	tty_bundle b "$TTY_INFO" &&
	test_must_fail oci create -b b tty-c 2>err &&
	test_grep err "^ocimin: cannot allocate tty if ocimin will detach without setting console socket$" &&
	test_must_fail oci run -d -b b tty-c 2>err &&
	test_grep err "^ocimin: cannot allocate tty" &&
	check_nothing_left
'

test_expect_success 'a console socket without a terminal, or with a foreground run, fails' '
	make_sh_bundle b0 "true" &&
	test_must_fail oci create --console-socket "$TRASH/nosock" -b b0 tty-c 2>err &&
	test_grep err "^ocimin: cannot use console socket if ocimin will not detach or allocate tty$" &&
	test_must_fail oci run --console-socket "$TRASH/nosock" -b b tty-c 2>err &&
	test_grep err "^ocimin: cannot use console socket" &&
	test_must_fail oci create --console-socket "$TRASH/nosock" -b b tty-c 2>err &&
	test_grep err "^ocimin: .*console socket $TRASH/nosock" &&
	check_nothing_left
'

test_expect_success 'create sends the pty master to the console socket; after start the process'"'"'s stdio and controlling terminal are that pty' '
	recv "$TRASH/sock" out &&
	oci create --console-socket "$TRASH/sock" -b b tty-c &&
	retry 100 test -s out.err &&
	test_grep out.err "^recvtty: received /dev/ptmx: pty 0$" &&
	status_is tty-c created &&
	oci start tty-c &&
	wait "$recv_pid" &&
	tr -d "\r" <out >info &&
	test_grep info "^tty: /dev/pts/0$" &&
	test_grep info "^fd0: /dev/pts/0$" &&
	test_grep info "^fd1: /dev/pts/0$" &&
	test_grep info "^fd2: /dev/pts/0$" &&
	test_grep info "^ctty: yes$" &&
	sid=$(sed -n "s/^sid: \([0-9]*\) pid: .*/\1/p" info) &&
	test_grep info "^sid: $sid pid: $sid$" &&
	delete_stopped tty-c
'

test_expect_success 'the pty is from the container'"'"'s devpts, not the host'"'"'s' '
	devpts=$(sed -n "s/^devpts: \([0-9]*\) stdin: .*/\1/p" info) &&
	test_grep info "^devpts: $devpts stdin: $devpts$" &&
	test "$devpts" != "$(stat -c %d /dev/pts/ptmx)"
'

test_expect_success 'consoleSize is the pty'"'"'s size; /dev/console is the pty' '
	tty_bundle b2 "echo \"size: \$(stty size)\"; stat -c \"console: %t %T\" /dev/console; stat -L -c \"stdin: %t %T\" /proc/self/fd/0" &&
	config_set b2 terminal "true, \"consoleSize\": { \"height\": 25, \"width\": 90 }" &&
	recv "$TRASH/sock2" out2 &&
	oci create --console-socket "$TRASH/sock2" -b b2 tty-c2 &&
	oci start tty-c2 &&
	wait "$recv_pid" &&
	tr -d "\r" <out2 >info2 &&
	test_grep info2 "^size: 25 90$" &&
	stdin=$(sed -n "s/^stdin: //p" info2) &&
	test_grep info2 "^console: $stdin$" &&
	delete_stopped tty-c2
'

test_expect_success 'what is typed into the master reaches the process' '
	tty_bundle b3 "read line; echo got:\$line" &&
	rm -f sock3.ready &&
	{ env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --ready sock3.ready --out out3 --input "hello\n" "$TRASH/sock3" 2>/dev/null & recv_pid=$!; } &&
	wait_file sock3.ready &&
	oci run -d --console-socket "$TRASH/sock3" -b b3 tty-c3 &&
	wait "$recv_pid" &&
	tr -d "\r" <out3 >got3 &&
	test_grep got3 "^got:hello$" &&
	delete_stopped tty-c3
'

test_expect_success 'exec --tty --console-socket gives the process a new pty of the container' '
	tty_bundle b4 "$WAITER" &&
	recv "$TRASH/sock4" out4 &&
	oci create --console-socket "$TRASH/sock4" -b b4 tty-c4 &&
	oci start tty-c4 &&
	wait_file b4/shared/started &&
	printf "%s\n" "$TTY_INFO" >b4/shared/info.sh &&
	recv "$TRASH/sock5" out5 &&
	oci exec -t -d --console-socket "$TRASH/sock5" tty-c4 sh /shared/info.sh &&
	wait "$recv_pid" &&
	tr -d "\r" <out5 >info5 &&
	test_grep out5.err "^recvtty: received /dev/ptmx: pty 1$" &&
	test_grep info5 "^tty: /dev/pts/1$" &&
	test_grep info5 "^fd0: /dev/pts/1$" &&
	test_grep info5 "^ctty: yes$"
'

test_expect_success 'exec --process with terminal and consoleSize, as containerd sends it' '
	cat >p.json <<-EOF &&
	{ "terminal": true, "consoleSize": { "height": 12, "width": 34 },
	  "user": { "uid": 0, "gid": 0 }, "cwd": "/",
	  "args": [ "sh", "-c", "tty; stty size" ],
	  "env": [ "PATH=/bin", "OCIMIN_TEST_MARK=$MARK" ] }
	EOF
	recv "$TRASH/sock6" out6 &&
	oci exec -p p.json -d --console-socket "$TRASH/sock6" tty-c4 &&
	wait "$recv_pid" &&
	tr -d "\r" <out6 >info6 &&
	test_grep info6 "^/dev/pts/[0-9]+$" &&
	test_grep info6 "^12 34$"
'

test_expect_success 'exec with a terminal and --detach but no console socket fails' '
	test_expect_code 255 oci exec -t -d tty-c4 true 2>err &&
	test_grep err "^ocimin: cannot allocate tty" &&
	test_expect_code 255 oci exec --console-socket "$TRASH/sock6" tty-c4 true 2>err &&
	test_grep err "^ocimin: cannot use console socket" &&
	touch b4/shared/stop &&
	delete_stopped tty-c4
'

test_expect_success 'a foreground run relays the terminal: size from ocimin'"'"'s, exit status' '
	tty_bundle b7 "$TTY_INFO
exit 3" &&
	test_expect_code 3 env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --exec --size 30x100 --out out7 -- \
		env OCIMIN_TEST_MARK=$MARK "$OCIMIN" --root "$ROOT" run -b b7 tty-c7 &&
	tr -d "\r" <out7 >info7 &&
	test_grep info7 "^tty: /dev/pts/0$" &&
	test_grep info7 "^size: 30 100$" &&
	test_grep info7 "^ctty: yes$" &&
	check_nothing_left
'

test_expect_success 'ocimin puts its terminal in raw mode and restores it' '
	tty_bundle b8 "stty -a | grep -o -- \"-*icanon\"" &&
	env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --exec --size 24x80 --out out8 -- sh -c "stty -g; OCIMIN_TEST_MARK=$MARK \"$OCIMIN\" --root \"$ROOT\" run -b b8 tty-c8; stty -g" &&
	tr -d "\r" <out8 >modes8 &&
	first=$(sed -n 1p modes8) &&
	test "$(grep -cxF "$first" modes8)" -eq 2 &&
	test "$(sed -n "\$p" modes8)" = "$first" &&
	test_grep modes8 "^icanon$" &&
	check_nothing_left
'

test_expect_success 'what is typed reaches the container; its output comes back' '
	tty_bundle b9 "touch /shared/started; read line; echo got:\$line" &&
	env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --exec --out out9 --input "hello\n" --input-after b9/shared/started -- \
		env OCIMIN_TEST_MARK=$MARK "$OCIMIN" --root "$ROOT" run -b b9 tty-c9 &&
	tr -d "\r" <out9 >got9 &&
	test_grep got9 "^got:hello$" &&
	check_nothing_left
'

test_expect_success 'window size changes are passed on to the container'"'"'s pty' '
	tty_bundle b10 "trap \"stty size >/shared/size\" WINCH
touch /shared/started
n=0; while [ \"\$(cat /shared/size 2>/dev/null)\" != \"40 120\" ] && [ \$n -lt 200 ]; do sleep 0.05; n=\$((n + 1)); done
cat /shared/size" &&
	env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --exec --size 24x80 --resize 40x120 --resize-after b10/shared/started --out out10 -- \
		env OCIMIN_TEST_MARK=$MARK "$OCIMIN" --root "$ROOT" run -b b10 tty-c10 &&
	test_grep b10/shared/size "^40 120$" &&
	check_nothing_left
'

test_expect_success 'without a terminal on its stdin ocimin still relays the pty' '
	tty_bundle b11 "tty; echo done" &&
	oci run -b b11 tty-c11 >out11 </dev/null &&
	tr -d "\r" <out11 >got11 &&
	test_grep got11 "^/dev/pts/0$" &&
	test_grep got11 "^done$" &&
	check_nothing_left
'

test_expect_success 'a relayed run forwards signals and exits with the status' '
	tty_bundle b12 "trap \"exit 7\" TERM; touch /shared/started; while :; do sleep 0.05; done" &&
	oci_bg run -b b12 tty-c12 >out12 &&
	wait_file b12/shared/started &&
	kill -TERM "$oci_pid" &&
	rc=0 && { wait "$oci_pid" || rc=$?; } &&
	test "$rc" -eq 7 &&
	check_nothing_left
'

test_expect_success 'a foreground exec --tty relays a new pty of the container' '
	make_sh_bundle b13 "$WAITER" &&
	tty_applets b13 &&
	oci run -d -b b13 tty-c13 &&
	wait_file b13/shared/started &&
	test_expect_code 5 env OCIMIN_TEST_MARK=$MARK "$RECVTTY" --exec --size 20x60 --out out13 -- \
		env OCIMIN_TEST_MARK=$MARK "$OCIMIN" --root "$ROOT" exec -t tty-c13 sh -c "tty; stty size; exit 5" &&
	tr -d "\r" <out13 >got13 &&
	test_grep got13 "^/dev/pts/0$" &&
	test_grep got13 "^20 60$" &&
	touch b13/shared/stop &&
	delete_stopped tty-c13
'

test_done
