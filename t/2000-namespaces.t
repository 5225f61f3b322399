#!/bin/sh
test_description='the container gets the namespaces its config asks for, new or joined'
. "$(dirname "$0")/lib.sh"

# host_ns NAME: this shell's namespace link, e.g. net:[4026531840]
host_ns() { readlink "/proc/self/ns/$1"; }

test_expect_success 'every namespace of the config is new' '
	make_bundle b "[\"/probe\", \"ns\"]" &&
	oci run -b b n1 >out &&
	for ns in pid net ipc uts mnt cgroup; do
		test_grep out "^$ns: $ns:\[[0-9]+\]$" &&
		! grep -x -F "$ns: $(host_ns $ns)" out || exit 1
	done &&
	check_nothing_left
'

test_expect_success 'a namespace the config leaves out is the host'"'"'s' '
	make_bundle b2 "[\"/probe\", \"ns\"]" &&
	config_set b2 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" } ]" &&
	config_del b2 hostname &&
	oci run -b b2 n2 >out &&
	for ns in net ipc uts cgroup; do
		grep -x -F "$ns: $(host_ns $ns)" out || exit 1
	done &&
	! grep -x -F "mnt: $(host_ns mnt)" out &&
	check_nothing_left
'

test_expect_success 'in a pid namespace the payload is pid 1 with no parent' '
	make_bundle b3 "[\"/probe\", \"pid\"]" &&
	oci run -b b3 n3 >out &&
	test_grep out "^pid: 1$" &&
	test_grep out "^ppid: 0$" &&
	check_nothing_left
'

test_expect_success 'the pid namespace holds only the container'"'"'s processes' '
	make_bundle b4 "[\"/bin/sh\", \"-c\", \"ls -d /proc/[0-9]*\"]" &&
	oci run -b b4 n4 >out &&
	test "$(grep -c -x "/proc/[0-9]*" out)" -le 2 &&
	test_grep out "^/proc/1$" &&
	check_nothing_left
'

test_expect_success 'a new network namespace has only lo, and lo is up' '
	make_bundle b5 "[\"/probe\", \"net\"]" &&
	oci run -b b5 n5 >out &&
	echo "iface lo: up" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'the uts namespace has the hostname and domainname of the config' '
	make_bundle b6 "[\"/probe\", \"hostname\"]" "" "\"domainname\": \"example.test\"" &&
	config_set b6 hostname "\"box-1\"" &&
	oci run -b b6 n6 >out &&
	test_grep out "^hostname: box-1$" &&
	test_grep out "^domainname: example.test$" &&
	test "$(hostname)" != box-1 &&
	check_nothing_left
'

test_expect_success 'a hostname without a uts namespace is refused and nothing is left' '
	make_bundle b7 "[\"/bin/true\"]" &&
	config_set b7 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" } ]" &&
	host=$(hostname) &&
	test_must_fail oci run -b b7 n7 2>err &&
	test_grep err "^ocimin: .*hostname" &&
	test "$(hostname)" = "$host" &&
	check_nothing_left
'

test_expect_success 'a network namespace is joined by path' '
	make_sh_bundle a "$WAITER" &&
	oci run -d -b a owner &&
	wait_file a/shared/started &&
	pid=$(state_field owner pid) &&
	make_bundle b8 "[\"/probe\", \"ns\"]" &&
	config_set b8 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"network\", \"path\": \"/proc/$pid/ns/net\" }, { \"type\": \"uts\", \"path\": \"/proc/$pid/ns/uts\" }, { \"type\": \"ipc\", \"path\": \"/proc/$pid/ns/ipc\" } ]" &&
	config_del b8 hostname &&
	oci run -b b8 joiner >out &&
	for ns in net uts ipc; do
		grep -x -F "$ns: $(readlink /proc/$pid/ns/$ns)" out || exit 1
	done &&
	! grep -x -F "pid: $(readlink /proc/$pid/ns/pid)" out &&
	oci delete --force owner &&
	check_nothing_left
'

test_expect_success 'a namespace path that does not exist fails create and leaves nothing' '
	make_bundle b9 "[\"/bin/true\"]" &&
	config_set b9 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"network\", \"path\": \"/proc/999999999/ns/net\" } ]" &&
	config_del b9 hostname &&
	test_must_fail oci create -b b9 n9 2>err &&
	test_grep err "^ocimin: .*/proc/999999999/ns/net" &&
	check_nothing_left
'

test_expect_success 'a namespace path of another type fails create and leaves nothing' '
	make_bundle b10 "[\"/bin/true\"]" &&
	config_set b10 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"network\", \"path\": \"/proc/self/ns/ipc\" } ]" &&
	config_del b10 hostname &&
	test_must_fail oci create -b b10 n10 2>err &&
	test_grep err "^ocimin: .*ns/ipc" &&
	check_nothing_left
'

test_expect_success 'a namespace path that is not a namespace fails create and leaves nothing' '
	make_bundle b11 "[\"/bin/true\"]" &&
	config_set b11 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"uts\", \"path\": \"$TRASH/b11/config.json\" } ]" &&
	test_must_fail oci create -b b11 n11 2>err &&
	test_grep err "^ocimin: " &&
	check_nothing_left
'

test_expect_success 'a new user namespace without id mappings is refused, leaving nothing' '
	make_bundle b12 "[\"/bin/true\"]" &&
	config_set b12 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"user\" } ]" &&
	config_del b12 hostname &&
	test_must_fail oci create -b b12 n12 2>err &&
	test_grep err "^ocimin: .*linux.uidMappings: required with a new user namespace" &&
	check_nothing_left
'

test_expect_success 'linux.sysctl is set in the container'"'"'s namespaces only' '
	make_bundle b13 "[\"/bin/cat\", \"/proc/sys/net/ipv4/ip_forward\", \"/proc/sys/kernel/domainname\"]" "\"sysctl\": { \"net.ipv4.ip_forward\": \"1\", \"kernel.domainname\": \"sysctl.test\" }" &&
	host=$(cat /proc/sys/net/ipv4/ip_forward) &&
	oci run -b b13 n13 >out &&
	printf "1\nsysctl.test\n" >expect &&
	test_cmp expect out &&
	test "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" &&
	check_nothing_left
'

test_expect_success 'an unknown sysctl fails create and leaves nothing' '
	make_bundle b14 "[\"/bin/true\"]" "\"sysctl\": { \"net.no.such.thing\": \"1\" }" &&
	test_must_fail oci create -b b14 n14 2>err &&
	test_grep err "^ocimin: .*net.no.such.thing" &&
	check_nothing_left
'

test_expect_success 'a sysctl of a namespace the container shares with the host is refused' '
	make_bundle b15 "[\"/bin/true\"]" "\"sysctl\": { \"net.ipv4.ip_forward\": \"1\" }" &&
	config_set b15 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"uts\" } ]" &&
	host=$(cat /proc/sys/net/ipv4/ip_forward) &&
	test_must_fail oci create -b b15 n15 2>err &&
	test_grep err "^ocimin: .*net.ipv4.ip_forward" &&
	test "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host" &&
	check_nothing_left
'

has_timens() { test -e /proc/self/ns/time; }
test_skip_unless has_timens 'the kernel has no time namespaces'

test_expect_success 'a time namespace shifts the monotonic and boot clocks by timeOffsets' '
	make_bundle b16 "[\"/probe\", \"clocks\", \"ns\"]" "\"timeOffsets\": { \"monotonic\": { \"secs\": 86400 }, \"boottime\": { \"secs\": 172800, \"nanosecs\": 0 } }" &&
	config_set b16 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"time\" } ]" &&
	config_del b16 hostname &&
	"$PROBE" clocks >host &&
	oci run -b b16 n16 >out &&
	hm=$(sed -n "s/^monotonic: //p" host) && hb=$(sed -n "s/^boottime: //p" host) &&
	cm=$(sed -n "s/^monotonic: //p" out) && cb=$(sed -n "s/^boottime: //p" out) &&
	echo "host $hm $hb container $cm $cb" &&
	test $((cm - hm)) -ge 86400 && test $((cm - hm)) -le 86460 &&
	test $((cb - hb)) -ge 172800 && test $((cb - hb)) -le 172860 &&
	! grep -x -F "time: $(host_ns time)" out &&
	check_nothing_left
'

test_expect_success 'timeOffsets without a time namespace are refused' '
	make_bundle b17 "[\"/bin/true\"]" "\"timeOffsets\": { \"monotonic\": { \"secs\": 86400 } }" &&
	test_must_fail oci create -b b17 n17 2>err &&
	test_grep err "^ocimin: .*(timeOffsets|time)" &&
	check_nothing_left
'

test_done
