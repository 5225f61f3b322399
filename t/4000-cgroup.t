#!/bin/sh
test_description='cgroup v2: where the container goes, what is left, the device filter, and limits cgroup v2 cannot honour'
. "$(dirname "$0")/lib.sh"

cgroup_tests_setup

# A linux.devices entry for /dev/kmsg (c 1:11): writable without any
# capability, and not among runc's default allowed devices.
KMSG='"devices": [ { "path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438 } ]'
# kmsg_bundle DIR RULES: writes to /dev/kmsg and /dev/null under RULES
kmsg_bundle() {
	kb_linux=$KMSG
	[ -z "$2" ] || kb_linux="$KMSG, \"resources\": { \"devices\": [ $2 ] }"
	make_bundle "$1" '["/probe", "write", "/dev/kmsg", "write", "/dev/null"]' "$kb_linux"
}
# kmsg_writes N RULES RESULT: container cgN, under RULES, writes /dev/kmsg
# with RESULT (ok, EPERM) and /dev/null with ok
kmsg_writes() {
	kmsg_bundle "b$1" "$2" &&
	oci run -b "b$1" "cg$1" >out &&
	printf "write /dev/kmsg: %s\nwrite /dev/null: ok\n" "$3" >expect &&
	test_cmp expect out
}
DENY_ALL='{ "allow": false, "access": "rwm" }'

test_skip_unless have_cgroup2 'a cgroup2 filesystem is mounted'

test_expect_success 'create puts the init in /ocimin/ID before it runs the payload' '
	make_sh_bundle b "cat /proc/self/cgroup >/shared/cgroup
$WAITER" &&
	oci create -b b cg1 &&
	pid=$(state_field cg1 pid) &&
	test_grep "/proc/$pid/cgroup" "^0::/ocimin/cg1$" &&
	test_grep "$CG/ocimin/cg1/cgroup.procs" "^$pid$" &&
	test_grep "$ROOT/cg1/state.json" "\"cgroup\": *\"$CG/ocimin/cg1\"" &&
	test ! -e b/shared/started
'

test_expect_success 'in its cgroup namespace the payload sees its cgroup as the root' '
	oci start cg1 &&
	wait_file b/shared/started &&
	test_grep b/shared/cgroup "^0::/$"
'

test_expect_success 'delete removes the cgroup' '
	touch b/shared/stop &&
	retry 100 status_is cg1 stopped &&
	oci delete cg1 &&
	nothing_of cg1
'

test_expect_success 'run removes the cgroup when the container exits' '
	make_bundle b2 "[\"/probe\", \"cgroup\"]" &&
	oci run -b b2 cg2 >out &&
	test_grep out "^cgroup: 0::/$" &&
	nothing_of cg2
'

test_expect_success 'without a cgroup namespace the payload sees its cgroup path' '
	make_bundle b3 "[\"/probe\", \"cgroup\"]" &&
	config_set b3 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"uts\" } ]" &&
	oci run -b b3 cg3 >out &&
	test_grep out "^cgroup: 0::/ocimin/cg3$" &&
	nothing_of cg3
'

TP=ocimin-test-$$
test_expect_success 'an absolute cgroupsPath is below the cgroup2 root, its parents made' '
	make_sh_bundle b4 "$WAITER" "\"cgroupsPath\": \"/$TP/a//./b/\"" &&
	oci create -b b4 cg4 &&
	test_grep "/proc/$(state_field cg4 pid)/cgroup" "^0::/$TP/a/b$" &&
	oci delete --force cg4 &&
	test ! -e "$CG/$TP/a/b" &&
	test -d "$CG/$TP/a" &&
	rmdir "$CG/$TP/a" "$CG/$TP" &&
	nothing_of cg4
'

test_expect_success 'a relative cgroupsPath is below /ocimin' '
	make_sh_bundle b5 "$WAITER" "\"cgroupsPath\": \"$TP/c\"" &&
	oci create -b b5 cg5 &&
	test_grep "/proc/$(state_field cg5 pid)/cgroup" "^0::/ocimin/$TP/c$" &&
	oci delete --force cg5 &&
	test ! -e "$CG/ocimin/$TP/c" &&
	rmdir "$CG/ocimin/$TP" &&
	nothing_of cg5
'

test_expect_success '--systemd-cgroup places slice:prefix:name as systemd would' '
	make_sh_bundle b6 "$WAITER" "\"cgroupsPath\": \"octest-x$$.slice:pfx:cg6\"" &&
	oci --systemd-cgroup create -b b6 cg6 &&
	test_grep "/proc/$(state_field cg6 pid)/cgroup" "^0::/octest.slice/octest-x$$.slice/pfx-cg6.scope$" &&
	oci delete --force cg6 &&
	rmdir "$CG/octest.slice/octest-x$$.slice" "$CG/octest.slice" &&
	nothing_of cg6
'

test_expect_success '--systemd-cgroup refuses a cgroupsPath that is not slice:prefix:name' '
	make_bundle b7 "[\"/bin/true\"]" "\"cgroupsPath\": \"/some/path\"" &&
	test_must_fail oci --systemd-cgroup run -b b7 cg7 2>err &&
	test_grep err "^ocimin: .*config.json: linux.cgroupsPath: expected \"slice:prefix:name\"" &&
	nothing_of cg7
'

test_expect_success 'a cgroupsPath with ".." is refused and nothing is made' '
	make_bundle b8 "[\"/bin/true\"]" "\"cgroupsPath\": \"/$TP/../../x\"" &&
	test_must_fail oci run -b b8 cg8 2>err &&
	test_grep err "^ocimin: .*config.json: linux.cgroupsPath: \"\\.\\.\" is not allowed" &&
	test ! -e "$CG/$TP" &&
	nothing_of cg8
'

test_expect_success 'a create that fails in the init leaves no cgroup' '
	make_bundle b9 "[\"/bin/true\"]" &&
	add_mounts b9 "{ \"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$TRASH/no-such-source\", \"options\": [ \"bind\" ] }" &&
	test_must_fail oci create -b b9 cg9 2>err &&
	test_grep err "^ocimin: " &&
	nothing_of cg9
'

test_expect_success 'an id whose cgroup is in use by another container is refused, and that one is left alone' '
	make_sh_bundle b10 "$WAITER" &&
	oci create -b b10 cg10 &&
	mkdir -p "$TRASH/root2" &&
	test_must_fail ocimin --root "$TRASH/root2" create -b b10 cg10 2>err &&
	test_grep err "^ocimin: create cgroup $CG/ocimin/cg10: it exists and has processes$" &&
	test ! -e "$TRASH/root2/cg10" &&
	test_grep "$CG/ocimin/cg10/cgroup.procs" "^$(state_field cg10 pid)$" &&
	oci delete --force cg10 &&
	nothing_of cg10
'

# ---- devices --------------------------------------------------------

test_expect_success 'with the spec'"'"'s deny-all rule the standard devices still work' '
	make_bundle b11 "[\"/bin/sh\", \"-c\", \"head -c 4 /dev/zero | wc -c; head -c 8 /dev/urandom | wc -c; head -c 8 /dev/random | wc -c; echo x >/dev/null && echo null-ok; /probe write /dev/full open /dev/tty open /dev/ptmx\"]" \
		"\"resources\": { \"devices\": [ $DENY_ALL ] }" &&
	oci run -b b11 cg11 >out &&
	printf "4\n8\n8\nnull-ok\nwrite /dev/full: ENOSPC\nopen /dev/tty: ENXIO\nopen /dev/ptmx: ok\n" >expect &&
	test_cmp expect out &&
	nothing_of cg11
'

test_expect_success 'a linux.devices node no rule allows cannot be opened, with or without rules' '
	kmsg_writes 12 "$DENY_ALL" EPERM &&
	kmsg_writes 13 "" EPERM &&
	nothing_of cg12 && nothing_of cg13
'

test_expect_success 'an allow rule opens a device for the access it names' '
	kmsg_writes 14 "$DENY_ALL, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\" }" ok &&
	kmsg_writes 15 "$DENY_ALL, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rm\" }" EPERM &&
	kmsg_writes 16 "$DENY_ALL, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"access\": \"w\" }" ok &&
	nothing_of cg14 && nothing_of cg15 && nothing_of cg16
'

test_expect_success 'rules apply in order: the last one that matches wins' '
	kmsg_writes 17 "$DENY_ALL, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rw\" }, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\" }" EPERM &&
	kmsg_writes 18 "{ \"allow\": true, \"access\": \"rwm\" }, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\" }" EPERM &&
	kmsg_writes 19 "{ \"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\" }, { \"allow\": true, \"access\": \"rwm\" }" ok &&
	nothing_of cg17 && nothing_of cg18 && nothing_of cg19
'

test_expect_success 'a rule that would punch a hole in a wildcard rule is refused, as runc does' '
	kmsg_bundle b20 "{ \"allow\": true, \"access\": \"rwm\" }, { \"allow\": false, \"type\": \"c\", \"major\": 1, \"access\": \"rwm\" }, { \"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\" }" &&
	test_must_fail oci run -b b20 cg20 2>err &&
	test_grep err "^ocimin: .*config.json: linux.resources.devices\[2\]: cannot take access away from part of the wildcard rule c 1:\*" &&
	nothing_of cg20
'

# ---- limits ---------------------------------------------------------

test_expect_success 'a memory limit is written, or refused naming the controller and why' '
	make_sh_bundle b21 "$WAITER" "\"resources\": { \"memory\": { \"limit\": 33554432 } }" &&
	if cg_has memory; then
		oci create -b b21 cg21 &&
		test "$(cat "$CG/ocimin/cg21/memory.max")" = 33554432 &&
		oci delete --force cg21
	else
		test_must_fail oci run -b b21 cg21 2>err &&
		test_grep err "^ocimin: .*config.json: linux.resources.memory: the memory controller is not available in cgroup v2 at $CG(/ocimin)? \(.+\)$"
	fi &&
	nothing_of cg21
'

test_expect_success 'a unified key without its controller is refused the same way' '
	for c in memory pids cpu io; do
		cg_has $c && continue
		make_bundle b22 "[\"/bin/true\"]" "\"resources\": { \"unified\": { \"$c.max\": \"1\" } }" &&
		test_must_fail oci run -b b22 cg22 2>err &&
		test_grep err "linux.resources.unified\[\"$c.max\"\]: the $c controller is not available" &&
		rm -rf b22 || exit 1
	done &&
	nothing_of cg22
'

# new_limit N JSON: a bundle bN whose linux.resources is JSON
new_limit() { make_bundle "b$1" "[\"/bin/true\"]" "\"resources\": $2"; }
refused() {
	test_must_fail oci run -b "b$1" "cg$1" 2>err &&
	test_grep err "^ocimin: .*config.json: $2" &&
	nothing_of "cg$1"
}

test_expect_success 'what cgroup v2 does not have is refused before anything is made' '
	new_limit 23 "{ \"memory\": { \"swappiness\": 10 } }" &&
	refused 23 "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness" &&
	new_limit 24 "{ \"memory\": { \"disableOOMKiller\": true } }" &&
	refused 24 "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer" &&
	new_limit 25 "{ \"cpu\": { \"realtimeRuntime\": 1000 } }" &&
	refused 25 "linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime budget" &&
	new_limit 26 "{ \"network\": { \"classID\": 1 } }" &&
	refused 26 "linux.resources.network: cgroup v2 has no net_cls or net_prio controller" &&
	new_limit 27 "{ \"blockIO\": { \"leafWeight\": 100 } }" &&
	refused 27 "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights" &&
	new_limit 28 "{ \"memory\": { \"swap\": 1000 } }" &&
	refused 28 "linux.resources.memory.swap: a swap limit needs a memory limit" &&
	new_limit 29 "{ \"memory\": { \"limit\": 2000, \"swap\": 1000 } }" &&
	refused 29 "linux.resources.memory.swap: memory\+swap must be at least the memory limit" &&
	new_limit 30 "{ \"blockIO\": { \"weight\": 5 } }" &&
	refused 30 "linux.resources.blockIO.weight: expected 10 to 1000" &&
	new_limit 31 "{ \"hugepageLimits\": [ { \"pageSize\": \"3MB\", \"limit\": 0 } ] }" &&
	refused 31 "linux.resources.hugepageLimits\[0\].pageSize: this kernel has no \"3MB\" huge pages" &&
	new_limit 32 "{ \"unified\": { \"../cgroup.procs\": \"1\" } }" &&
	refused 32 "linux.resources.unified: \"../cgroup.procs\" is not a file name" &&
	new_limit 33 "{ \"unified\": { \"cgroup.procs\": \"1\" } }" &&
	refused 33 "linux.resources.unified: \"cgroup.procs\" is not a resource"
'

test_expect_success 'kernel memory limits are ignored with a warning, as runc does' '
	new_limit 34 "{ \"memory\": { \"kernel\": 1048576, \"kernelTCP\": 1048576 } }" &&
	oci run -b b34 cg34 2>err &&
	test_grep err "^ocimin: warning: .*linux.resources.memory.kernel and kernelTCP are ignored" &&
	nothing_of cg34
'

# nocg CMD...: CMD in a mount namespace where no cgroup2 is mounted
nocg() {
	unshare -m sh -c 'mount --make-rprivate / && umount -l "$0" && exec "$@"' "$CG" "$@"
}

test_expect_success 'with no cgroup2 mount a container without limits runs without a cgroup' '
	make_sh_bundle b35 "$WAITER" &&
	nocg env "OCIMIN_TEST_MARK=$MARK" "$OCIMIN" --root "$ROOT" create -b b35 cg35 &&
	test_grep "$ROOT/cg35/state.json" "\"cgroup\": *\"\"" &&
	test ! -e "$CG/ocimin/cg35" &&
	oci start cg35 &&
	wait_file b35/shared/started &&
	for cmd in ps pause "update --pids-limit 9" "events --stats"; do
		test_must_fail oci $cmd cg35 2>err &&
		test_grep err "^ocimin: ${cmd%% *} cg35: the container has no cgroup: no cgroup2 filesystem was mounted when it was created$" || exit 1
	done &&
	oci kill --all cg35 KILL &&
	retry 100 status_is cg35 stopped &&
	oci delete cg35 &&
	nothing_of cg35
'

test_expect_success 'with no cgroup2 mount a limit is refused, naming its controller' '
	make_bundle b36 "[\"/bin/true\"]" "\"resources\": { \"pids\": { \"limit\": 10 } }" &&
	test_must_fail nocg env "OCIMIN_TEST_MARK=$MARK" "$OCIMIN" --root "$ROOT" run -b b36 cg36 2>err &&
	test_grep err "^ocimin: .*config.json: linux.resources.pids: needs the pids controller of cgroup v2, and no cgroup2 filesystem is mounted$" &&
	nothing_of cg36
'

test_done
