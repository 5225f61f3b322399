#!/bin/sh
test_description='a user namespace maps the container'"'"'s root to an unprivileged host id'
. "$(dirname "$0")/lib.sh"

have_userns() { test -e /proc/self/ns/user && test "$(id -u)" = 0; }
test_skip_unless have_userns 'user namespaces (CONFIG_USER_NS) and root to map other ids'

BASE=200000
MAPS='"uidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ]'
CGROUP_MOUNT='{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }'
ALL_NS='{ "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }, { "type": "cgroup" }'

# userns_bundle DIR SCRIPT [NAMESPACES_JSON] [EXTRA_LINUX_JSON]: a
# make_sh_bundle with a new user namespace mapping 0-65535 to BASE-..., its
# rootfs and /shared owned by the mapped root, as an image for it would be.
userns_bundle() {
	make_sh_bundle "$1" "$2" "$MAPS${4:+, $4}" &&
	config_set "$1" namespaces "[ ${3:-$ALL_NS}, { \"type\": \"user\" } ]" &&
	add_mounts "$1" "$CGROUP_MOUNT" &&
	chown -R $BASE:$BASE "$1/rootfs" "$1/shared"
}

PROBE_SH='cat /proc/self/uid_map /proc/self/gid_map | tr -s " " >/shared/maps
id -u >/shared/id && id -g >>/shared/id
echo $$ >/shared/pid
touch /shared/new
ls /sys/class/net >/shared/net
grep " /dev/null " /proc/self/mountinfo >/shared/devnull
head -c 4 /dev/zero | wc -c >/shared/zero
grep " /sys/fs/cgroup " /proc/self/mountinfo >/shared/cgroup
'"$WAITER"

test_expect_success 'the container is root of its user namespace, an unprivileged id on the host' '
	userns_bundle b "$PROBE_SH" &&
	oci create -b b u1 &&
	oci start u1 &&
	wait_file b/shared/started &&
	pid=$(state_field u1 pid) &&
	printf " 0 $BASE 65536\n 0 $BASE 65536\n" >expect &&
	test_cmp expect b/shared/maps &&
	printf "0\n0\n" >expect &&
	test_cmp expect b/shared/id &&
	grep "^Uid:[[:space:]]*$BASE[[:space:]]" /proc/$pid/status &&
	grep "^Gid:[[:space:]]*$BASE[[:space:]]" /proc/$pid/status
'

test_expect_success 'its user namespace is new and its pid namespace is its own' '
	pid=$(state_field u1 pid) &&
	test "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" &&
	test "$(cat b/shared/pid)" = 1
'

test_expect_success 'files it creates in a bind mount belong to the mapped host id' '
	test "$(stat -c %u:%g b/shared/new)" = "$BASE:$BASE"
'

test_expect_success 'devices are bind mounts of the host'"'"'s nodes, and work' '
	test -s b/shared/devnull &&
	test "$(cat b/shared/zero)" = 4
'

test_expect_success 'with a network namespace of its own sysfs is its own' '
	test "$(cat b/shared/net)" = lo
'

test_expect_success 'with a cgroup namespace of its own cgroup2 is mounted' '
	test_grep b/shared/cgroup " - cgroup2 " &&
	touch b/shared/stop &&
	retry 100 status_is u1 stopped &&
	oci delete u1 &&
	check_nothing_left
'

test_expect_success 'without a network and a cgroup namespace the host'"'"'s /sys and cgroup2 are bound, read-only' '
	userns_bundle b2 "$PROBE_SH
touch /sys/kernel/x 2>/dev/null && echo rw >/shared/sysrw || echo ro >/shared/sysrw" \
		"{ \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"uts\" }, { \"type\": \"mount\" }" &&
	touch b2/shared/stop &&
	oci run -b b2 u2 &&
	ls /sys/class/net >net &&
	test_cmp net b2/shared/net &&
	test "$(cat b2/shared/sysrw)" = ro &&
	test_grep b2/shared/cgroup " - cgroup2 " &&
	check_nothing_left
'

test_expect_success 'a container joins the user namespace of another by path' '
	userns_bundle b3 "$WAITER" &&
	oci create -b b3 u3 &&
	pid=$(state_field u3 pid) &&
	make_sh_bundle b4 "cat /proc/self/uid_map | tr -s \" \" >/shared/maps; readlink /proc/self/ns/user >/shared/userns" &&
	config_set b4 namespaces "[ $ALL_NS, { \"type\": \"user\", \"path\": \"/proc/$pid/ns/user\" } ]" &&
	chown -R $BASE:$BASE b4/rootfs b4/shared &&
	oci run -b b4 u4 &&
	printf " 0 $BASE 65536\n" >expect &&
	test_cmp expect b4/shared/maps &&
	test "$(cat b4/shared/userns)" = "$(readlink /proc/$pid/ns/user)" &&
	oci delete --force u3 &&
	check_nothing_left
'

test_expect_success 'run waits for an init that is a grandchild of ocimin and exits with its status' '
	userns_bundle b5 "exit 7" &&
	test_expect_code 7 oci run -b b5 u5 &&
	check_nothing_left
'

test_expect_success 'kill and delete --force reach a container in a user namespace' '
	userns_bundle b6 "$WAITER" &&
	oci create -b b6 u6 &&
	oci start u6 &&
	wait_file b6/shared/started &&
	oci kill u6 KILL &&
	retry 100 status_is u6 stopped &&
	oci delete u6 &&
	userns_bundle b7 "$WAITER" &&
	oci create -b b7 u7 &&
	oci delete --force u7 &&
	check_nothing_left
'

test_expect_success 'a create that fails in a user namespace leaves nothing behind' '
	userns_bundle b8 "true" &&
	config_set b8 args "[\"/nosuch\"]" &&
	test_must_fail oci create -b b8 u8 2>err &&
	test_grep err "^ocimin: exec /nosuch: No such file or directory$" &&
	check_nothing_left
'

test_expect_success 'mappings without a user namespace, or a new one without mappings, are refused' '
	make_bundle b9 "[\"/bin/true\"]" "$MAPS" &&
	test_must_fail oci create -b b9 u9 2>err &&
	test_grep err "linux.uidMappings: requires a user namespace" &&
	make_bundle b10 "[\"/bin/true\"]" &&
	config_set b10 namespaces "[ $ALL_NS, { \"type\": \"user\" } ]" &&
	test_must_fail oci create -b b10 u10 2>err &&
	test_grep err "linux.uidMappings: required with a new user namespace" &&
	make_bundle b11 "[\"/bin/true\"]" "$MAPS" &&
	config_set b11 namespaces "[ $ALL_NS, { \"type\": \"user\", \"path\": \"/proc/self/ns/user\" } ]" &&
	test_must_fail oci create -b b11 u11 2>err &&
	test_grep err "linux.uidMappings: cannot be set for the joined user namespace" &&
	check_nothing_left
'

test_expect_success 'features lists the user namespace' '
	ocimin features | tr -d "\n " | grep "\"namespaces\":\[[^]]*\"user\""
'

test_done
