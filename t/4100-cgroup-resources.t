#!/bin/sh
test_description='linux.resources become cgroup v2 limits, written as runc writes them, and they hold'
. "$(dirname "$0")/lib.sh"

cgroup_tests_setup

all_controllers() {
	for c in cpu cpuset io memory pids hugetlb; do
		cg_has $c || return 1
	done
}

# limited N RESOURCES: container crN, created (not started) with them
limited() {
	make_sh_bundle "b$1" "$WAITER" "\"resources\": $2" &&
	oci create -b "b$1" "cr$1"
}
# file_is ID FILE VALUE: the container's cgroup FILE holds VALUE
file_is() {
	fi_got=$(cat "$CG/ocimin/$1/$2") || return 1
	[ "$fi_got" = "$3" ] || { echo "$2 is \"$fi_got\", wanted \"$3\""; return 1; }
}
done_with() { oci delete --force "$1" && nothing_of "$1"; }
n_stats() { test "$(grep -c "^{\"type\":\"stats\"," "$1")" -ge "$2"; }

test_skip_unless all_controllers 'cgroup v2 has the cpu, cpuset, io, memory, pids and hugetlb controllers'

test_expect_success 'memory: limit, reservation and swap (memory+swap) become memory.max, .low, .swap.max' '
	limited 1 "{ \"memory\": { \"limit\": 67108864, \"reservation\": 33554432, \"swap\": 100663296 } }" &&
	file_is cr1 memory.max 67108864 &&
	file_is cr1 memory.low 33554432 &&
	file_is cr1 memory.swap.max 33554432 &&
	done_with cr1 &&
	limited 2 "{ \"memory\": { \"limit\": -1, \"swap\": -1 } }" &&
	file_is cr2 memory.max max &&
	file_is cr2 memory.swap.max max &&
	done_with cr2 &&
	limited 3 "{ \"memory\": { \"limit\": 67108864, \"swap\": 67108864 } }" &&
	file_is cr3 memory.swap.max 0 &&
	done_with cr3
'

test_expect_success 'memory: an allocation past memory.max is OOM-killed and events reports it' '
	make_sh_bundle b4 "touch /shared/started
while [ ! -e /shared/go ]; do sleep 0.05; done
/bin/busybox awk \"BEGIN { s = \\\"x\\\"; while (1) s = s s }\"
echo \"awk: \$?\" >/shared/rc" "\"resources\": { \"memory\": { \"limit\": 33554432, \"swap\": 33554432 } }" &&
	oci create -b b4 cr4 &&
	oci start cr4 &&
	wait_file b4/shared/started &&
	oci_bg events --interval 100ms cr4 >ev &&
	retry 100 n_stats ev 1 &&
	test_grep ev "\"memory\":\{.*\"usage\":\{\"limit\":33554432," &&
	touch b4/shared/go &&
	retry 400 test -e b4/shared/rc &&
	test_grep b4/shared/rc "^awk: 137$" &&
	wait $oci_pid &&
	test_grep ev "^\{\"type\":\"oom\",\"id\":\"cr4\"\}$" &&
	oci delete cr4 &&
	nothing_of cr4
'

test_expect_success 'pids: the limit becomes pids.max, -1 is max and 0 is 0' '
	limited 5 "{ \"pids\": { \"limit\": 5 } }" &&
	file_is cr5 pids.max 5 &&
	done_with cr5 &&
	limited 6 "{ \"pids\": { \"limit\": -1 } }" &&
	file_is cr6 pids.max max &&
	done_with cr6 &&
	limited 7 "{ \"pids\": { \"limit\": 0 } }" &&
	file_is cr7 pids.max 0 &&
	done_with cr7
'

test_expect_success 'pids: a fork past pids.max fails' '
	make_sh_bundle b8 "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done 2>/shared/err" \
		"\"resources\": { \"pids\": { \"limit\": 4 } }" &&
	{ oci run --keep -b b8 cr8 || true; } &&
	test_grep b8/shared/err "fork" &&
	test_grep "$CG/ocimin/cr8/pids.events" "^max [1-9]" &&
	oci delete --force cr8 &&
	nothing_of cr8
'

test_expect_success 'cpu: shares become cpu.weight by runc'"'"'s current formula' '
	for pair in 2:1 512:59 1024:100 262144:10000; do
		limited 9 "{ \"cpu\": { \"shares\": ${pair%:*} } }" &&
		file_is cr9 cpu.weight ${pair#*:} &&
		done_with cr9 &&
		rm -rf b9 || exit 1
	done
'

# linux_at_least MAJOR MINOR: the running kernel is that release or newer
linux_at_least() {
	la_r=$(uname -r) &&
	la_maj=${la_r%%.*} la_min=${la_r#*.} && la_min=${la_min%%[!0-9]*} &&
	{ [ "$la_maj" -gt "$1" ] || { [ "$la_maj" -eq "$1" ] && [ "$la_min" -ge "$2" ]; }; }
}
# refused ID RESOURCES KEY FILE RELEASE: on a kernel older than RELEASE,
# create fails with one line naming the key, the file and the release,
# and leaves nothing
refused() {
	test_must_fail limited "$1" "$2" 2>err &&
	test_grep err "^ocimin: linux.resources.cpu.$3: $CG/ocimin/cr$1/$4 is missing: it needs Linux $5$" &&
	test "$(wc -l <err)" -eq 1 &&
	nothing_of "cr$1"
}

test_expect_success 'cpu: quota, period, burst and idle become cpu.max, cpu.max.burst, cpu.idle' '
	if linux_at_least 5 14; then
		limited 10 "{ \"cpu\": { \"quota\": 50000, \"period\": 200000, \"burst\": 10000 } }" &&
		file_is cr10 cpu.max "50000 200000" &&
		file_is cr10 cpu.max.burst 10000 &&
		done_with cr10
	else
		refused 10 "{ \"cpu\": { \"quota\": 50000, \"period\": 200000, \"burst\": 10000 } }" burst cpu.max.burst 5.14
	fi &&
	limited 11 "{ \"cpu\": { \"quota\": -1 } }" &&
	file_is cr11 cpu.max "max 100000" &&
	done_with cr11 &&
	if linux_at_least 5 15; then
		limited 12 "{ \"cpu\": { \"period\": 20000, \"idle\": 1 } }" &&
		file_is cr12 cpu.max "max 20000" &&
		file_is cr12 cpu.idle 1 &&
		done_with cr12
	else
		refused 12 "{ \"cpu\": { \"period\": 20000, \"idle\": 1 } }" idle cpu.idle 5.15
	fi
'

test_expect_success 'cpuset: cpus and mems become cpuset.cpus and .mems, and bind the payload' '
	make_bundle b13 "[\"/bin/grep\", \"^Cpus_allowed_list\", \"/proc/self/status\"]" \
		"\"resources\": { \"cpu\": { \"cpus\": \"1\", \"mems\": \"0\" } }" &&
	oci run --keep -b b13 cr13 >out &&
	test_grep out "^Cpus_allowed_list:[[:space:]]+1$" &&
	file_is cr13 cpuset.cpus 1 &&
	file_is cr13 cpuset.mems 0 &&
	done_with cr13
'

test_expect_success 'blockIO: weights go to io.bfq.weight, throttles to io.max' '
	dev=$(cat /sys/block/nullb0/dev) &&
	maj=${dev%:*} min=${dev#*:} &&
	d="\"major\": $maj, \"minor\": $min" &&
	limited 14 "{ \"blockIO\": { \"weight\": 500, \"weightDevice\": [ { $d, \"weight\": 300 } ],
		\"throttleReadBpsDevice\": [ { $d, \"rate\": 1048576 } ], \"throttleWriteBpsDevice\": [ { $d, \"rate\": 2097152 } ],
		\"throttleReadIOPSDevice\": [ { $d, \"rate\": 100 } ], \"throttleWriteIOPSDevice\": [ { $d, \"rate\": 200 } ] } }" &&
	test_grep "$CG/ocimin/cr14/io.bfq.weight" "^default 500$" &&
	test_grep "$CG/ocimin/cr14/io.bfq.weight" "^$dev 300$" &&
	file_is cr14 io.max "$dev rbps=1048576 wbps=2097152 riops=100 wiops=200" &&
	done_with cr14
'

test_expect_success 'hugepageLimits become hugetlb.SIZE.max and .rsvd.max' '
	limited 15 "{ \"hugepageLimits\": [ { \"pageSize\": \"2MB\", \"limit\": 4194304 } ] }" &&
	file_is cr15 hugetlb.2MB.max 4194304 &&
	file_is cr15 hugetlb.2MB.rsvd.max 4194304 &&
	done_with cr15
'

test_expect_success 'rdma: a limit for a device the host lacks fails clearly, leaving nothing' '
	make_bundle b16 "[\"/bin/true\"]" "\"resources\": { \"rdma\": { \"mlx5_0\": { \"hcaHandles\": 3, \"hcaObjects\": 100 } } }" &&
	test_must_fail oci run -b b16 cr16 2>err &&
	if cg_has rdma; then
		test_grep err "^ocimin: write \"mlx5_0 hca_handle=3 hca_object=100\" to $CG/ocimin/cr16/rdma.max: "
	else
		test_grep err "linux.resources.rdma: the rdma controller is not available"
	fi &&
	nothing_of cr16
'

test_expect_success 'unified is written as given, after the other limits' '
	limited 17 "{ \"pids\": { \"limit\": 5 }, \"unified\": { \"pids.max\": \"9\", \"memory.high\": \"50331648\" } }" &&
	file_is cr17 pids.max 9 &&
	file_is cr17 memory.high 50331648 &&
	done_with cr17
'

test_expect_success 'update changes memory, cpu, cpuset, pids and io limits of a running container' '
	make_sh_bundle b18 "$WAITER" &&
	oci run -d -b b18 cr18 &&
	wait_file b18/shared/started &&
	oci update --memory 64m --memory-swap 96M --memory-reservation 16777216 cr18 &&
	file_is cr18 memory.max 67108864 &&
	file_is cr18 memory.swap.max 33554432 &&
	file_is cr18 memory.low 16777216 &&
	oci update --memory-swap 128m cr18 &&
	file_is cr18 memory.swap.max 67108864 &&
	oci update --cpu-quota 20000 --cpu-period 50000 --cpu-share 1024 cr18 &&
	file_is cr18 cpu.max "20000 50000" &&
	file_is cr18 cpu.weight 100 &&
	oci update --cpu-period 100000 cr18 &&
	file_is cr18 cpu.max "20000 100000" &&
	oci update --cpuset-cpus 1 --cpuset-mems 0 --pids-limit 12 --blkio-weight 300 cr18 &&
	file_is cr18 cpuset.cpus 1 &&
	file_is cr18 pids.max 12 &&
	test_grep "$CG/ocimin/cr18/io.bfq.weight" "^default 300$" &&
	echo "{ \"memory\": { \"limit\": -1, \"swap\": -1 }, \"cpu\": { \"quota\": -1 }, \"pids\": { \"limit\": -1 } }" |
		oci update --resources - cr18 &&
	file_is cr18 memory.max max &&
	file_is cr18 cpu.max "max 100000" &&
	file_is cr18 pids.max max
'

test_expect_success 'update with checkBeforeUpdate refuses a limit below the usage' '
	echo "{ \"memory\": { \"limit\": 4096, \"checkBeforeUpdate\": true } }" >res.json &&
	test_must_fail oci update -r res.json cr18 2>err &&
	test_grep err "^ocimin: update $CG/ocimin/cr18: memory limit 4096 is not above the current usage [0-9]+$" &&
	file_is cr18 memory.max max
'

test_expect_success 'events --stats reports memory and pids with their limits' '
	oci update --memory 50331648 --pids-limit 20 cr18 &&
	oci events --stats cr18 >ev &&
	test_grep ev "\"memory\":\{(\"cache\":[0-9]+,)?\"usage\":\{\"limit\":50331648,\"usage\":[1-9][0-9]*," &&
	test_grep ev "\"raw\":\{.*\"anon\":[0-9]+" &&
	test_grep ev "\"pids\":\{\"current\":[1-9][0-9]*,\"limit\":20\}" &&
	done_with cr18
'

test_done
