#!/bin/sh
test_description='ocimin check: what the running kernel and host offer'
. "$(dirname "$0")/lib.sh"

rows='kernel|namespace (cgroup|ipc|mount|network|pid|time|user|uts)|user namespaces|seccomp|pidfd_open|pidfd_send_signal|clone3|close_range|openat2|open_tree|fsopen|mount_setattr|idmapped mounts|pivot_root|cgroup v2'

test_expect_success 'check prints a table and exits 0 where the default container runs' '
	ocimin check >out &&
	sed -n 1p out | grep -E "^FEATURE +STATUS +DETAIL$" &&
	for r in kernel "namespace pid" "namespace time" "user namespaces" seccomp \
		pidfd_open clone3 close_range openat2 fsopen mount_setattr \
		"idmapped mounts" pivot_root "cgroup v2"; do
		test_grep out "^$r +(yes|no|-|NO \(needed\)) " || exit 1
	done &&
	test_grep out "^ocimin can run the default container" &&
	test_grep_not out "NO \(needed\)"
'

test_expect_success 'check --format json is one object with every row' '
	ocimin check --format json >out &&
	test "$(wc -l <out)" -eq 1 &&
	test_grep out "^\{\"ok\":true,\"features\":\[\{\"name\":\"kernel\"" &&
	test_grep out "\]\}$" &&
	for r in "namespace pid" clone3 openat2 "idmapped mounts" pivot_root "cgroup v2"; do
		test_grep out "\{\"name\":\"$r\",\"status\":\"(yes|no|info)\",\"needed\":(true|false),\"detail\":\"" || exit 1
	done &&
	test_grep out "\"name\":\"namespace pid\",\"status\":\"yes\",\"needed\":true"
'

test_expect_success 'a bad --format or an operand is a usage error' '
	test_expect_code 2 ocimin check --format yaml 2>err &&
	test_grep err "^ocimin: .*--format" &&
	test_expect_code 2 ocimin check extra 2>err &&
	test_grep err "^ocimin: .*too many arguments"
'

# The initramfs of the test VM is rootfs: pivot_root cannot move it.
root_type() {
	awk '$5 == "/" { for (i = 7; $i != "-"; i++) ; t = $(i + 1) } END { print t }' /proc/self/mountinfo
}

test_expect_success 'pivot_root is "no" exactly when / is the initramfs' '
	ocimin check >out &&
	case $(root_type) in
	rootfs|ramfs) test_grep out "^pivot_root +no +/ is the initramfs" ;;
	*) test_grep out "^pivot_root +yes " ;;
	esac
'

test_expect_success 'the cgroup v2 row says how the host mounts cgroups' '
	ocimin check >out &&
	v2=$(awk "\$5 ~ /^\/sys\/fs\/cgroup/ && / - cgroup2 / { print \$5; exit }" /proc/self/mountinfo) &&
	v1=$(grep -c " - cgroup " /proc/self/mountinfo || true) &&
	if [ -z "$v2" ]; then
		test_grep out "^cgroup v2 +no "
	elif [ "$v1" -gt 0 ]; then
		test_grep out "^cgroup v2 +yes +hybrid .* at $v2$"
	else
		test_grep out "^cgroup v2 +yes +.* at $v2$" &&
		test_grep out "^cgroup controllers +yes +.*(pids|memory|cpu|hugetlb)"
	fi
'

test_expect_success 'seccomp actions are the kernel list' '
	ocimin check >out &&
	if [ -r /proc/sys/kernel/seccomp/actions_avail ]; then
		test_grep out "^seccomp actions +- +$(cat /proc/sys/kernel/seccomp/actions_avail)$"
	fi
'

test_expect_success 'syscalls a kernel lacks are "no", naming the version, yet not needed' '
	"$TEST_DIR/enosys" clone3,openat2,pidfd_open,close_range,mount_setattr,open_tree,fsopen -- "$OCIMIN" check >out &&
	test_grep out "^clone3 +no +missing \(Linux 5.3\)" &&
	test_grep out "^openat2 +no +missing \(Linux 5.6\)" &&
	test_grep out "^pidfd_open +no +missing \(Linux 5.3\)" &&
	test_grep out "^close_range +no +missing \(Linux 5.9\)" &&
	test_grep out "^mount_setattr +no +missing \(Linux 5.12\)" &&
	test_grep out "^idmapped mounts +no " &&
	test_grep out "^pidfd_send_signal +yes" &&
	test_grep out "^ocimin can run the default container"
'

test_expect_success 'check --help' '
	ocimin check --help >out &&
	test_grep out "usage: .*check"
'

test_done
