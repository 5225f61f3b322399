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

test_done
