#!/bin/sh
test_description='--preserve-fds and systemd socket activation pass fds from 3 on to the container'
. "$(dirname "$0")/lib.sh"

# activated LISTEN_FDS ARGS...: ocimin ARGS as systemd starts a service:
# LISTEN_PID is ocimin's own pid (the shell's, which exec keeps)
activated() {
	n=$1
	shift
	OCIMIN_TEST_MARK=$MARK LISTEN_FDS=$n ARGS="$*" \
		sh -c 'LISTEN_PID=$$ exec "$OCIMIN" --root "$ROOT" $ARGS'
}
export OCIMIN ROOT

test_expect_success 'run --preserve-fds N passes fds 3 .. 3+N-1, nothing else' '
	make_bundle b "[\"/probe\", \"fds\"]" &&
	oci run --preserve-fds 2 -b b pfd1 3<b/config.json 4>>out4 5</dev/null >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^fd 3: .*/b/config.json$" &&
	test_grep out "^fd 4: .*/out4$" &&
	oci run -b b pfd2 3</dev/null >out &&
	test_grep out "^fds:$" &&
	check_nothing_left
'

test_expect_success 'create --preserve-fds keeps them until start' '
	make_bundle b2 "[\"/probe\", \"fds\"]" &&
	oci create --preserve-fds 1 -b b2 pfd3 3<b2/config.json >out &&
	oci start pfd3 &&
	retry 100 status_is pfd3 stopped &&
	test_grep out "^fds: 3$" &&
	test_grep out "^fd 3: .*/b2/config.json$" &&
	oci delete pfd3 &&
	check_nothing_left
'

test_expect_success 'an fd the caller did not pass is refused, and nothing is created' '
	test_must_fail oci run --preserve-fds 2 -b b pfd4 3</dev/null 2>err &&
	test_grep err "^ocimin: pass fd 4 to the container" &&
	test_must_fail oci create --preserve-fds 1 -b b pfd4 2>err &&
	test_grep err "^ocimin: pass fd 3 to the container" &&
	check_nothing_left
'

test_expect_success 'socket activation: LISTEN_FDS fds go to the container with LISTEN_FDS and LISTEN_PID=1' '
	make_bundle b5 "[\"/probe\", \"fds\", \"env\"]" &&
	activated 2 run -b b5 pfd5 3<b5/config.json 4</dev/null >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^fd 3: .*/b5/config.json$" &&
	test_grep out "^env: LISTEN_FDS=2$" &&
	test_grep out "^env: LISTEN_PID=1$" &&
	check_nothing_left
'

test_expect_success 'activation fds come first, then the --preserve-fds ones' '
	activated 1 run --preserve-fds 1 -b b5 pfd6 3<b5/config.json 4</dev/null >out &&
	test_grep out "^fds: 3 4$" &&
	test_grep out "^env: LISTEN_FDS=1$" &&
	check_nothing_left
'

test_expect_success 'LISTEN_FDS meant for another process is not passed on' '
	OCIMIN_TEST_MARK=$MARK LISTEN_FDS=1 LISTEN_PID=1 "$OCIMIN" --root "$ROOT" run -b b5 pfd7 3</dev/null >out &&
	test_grep out "^fds:$" &&
	test_grep_not out "^env: LISTEN_" &&
	check_nothing_left
'

test_expect_success 'the container'"'"'s own LISTEN_ variables are replaced, not doubled' '
	make_bundle b8 "[\"/probe\", \"env\"]" &&
	config_set b8 env "[ \"PATH=/bin\", \"LISTEN_FDS=9\", \"LISTEN_PID=9\", \"OCIMIN_TEST_MARK=$MARK\" ]" &&
	activated 1 run -b b8 pfd8 3</dev/null >out &&
	test "$(grep -c "^env: LISTEN_FDS=" out)" -eq 1 &&
	test_grep out "^env: LISTEN_FDS=1$" &&
	test_grep out "^env: LISTEN_PID=1$" &&
	check_nothing_left
'

test_done
