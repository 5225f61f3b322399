#!/bin/sh
test_description='mounts, the rootfs, masked and readonly paths, as the container sees them'
. "$(dirname "$0")/lib.sh"

# mnt FILE POINT: the probe's line for the topmost mount at POINT.
mnt() { awk -v p="$2" '$1 == "mount:" && $2 == p' "$1" | tail -n 1; }

# mnt_has FILE POINT FIELD WORD...: that mount's FIELD (3: mount options,
# 4: type, 6: superblock options, 7: propagation) lists every WORD.
mnt_has() {
	mh_line=$(mnt "$1" "$2") mh_field=$3
	shift 3
	[ -n "$mh_line" ] || { echo "no mount at $2"; return 1; }
	for w in "$@"; do
		echo "$mh_line" | cut -d" " -f"$mh_field" | tr , "\n" | grep -qx -e "$w" ||
			{ echo "mount lacks $w: $mh_line"; return 1; }
	done
}

# mnt_lacks FILE POINT WORD...: the mount options of POINT have no WORD.
mnt_lacks() {
	ml_line=$(mnt "$1" "$2")
	shift 2
	for w in "$@"; do
		! echo "$ml_line" | cut -d" " -f3 | tr , "\n" | grep -qx -e "$w" ||
			{ echo "mount has $w: $ml_line"; return 1; }
	done
}

test_expect_success 'the config'"'"'s mounts are there with their types and options' '
	make_bundle b "[\"/probe\", \"mounts\", \"stat\", \"/dev/shm\"]" &&
	oci run -b b m1 >out &&
	mnt_has out /proc 4 proc &&
	mnt_has out /dev 4 tmpfs && mnt_has out /dev 3 rw nosuid &&
	mnt_has out /dev 6 size=65536k mode=755 &&
	mnt_lacks out /dev relatime noatime nodev noexec &&
	mnt_has out /dev/pts 4 devpts && mnt_has out /dev/pts 3 nosuid noexec &&
	mnt_has out /dev/pts 6 mode=620 ptmxmode=666 &&
	mnt_has out /dev/shm 4 tmpfs && mnt_has out /dev/shm 3 nosuid nodev noexec &&
	mnt_has out /dev/shm 6 size=65536k &&
	test_grep out "^stat /dev/shm: d 1777 " &&
	mnt_has out /dev/mqueue 4 mqueue && mnt_has out /dev/mqueue 3 nosuid nodev noexec &&
	mnt_has out /sys 4 sysfs && mnt_has out /sys 3 ro nosuid nodev noexec &&
	mnt_has out /tmp 4 tmpfs && mnt_has out /tmp 3 rw nosuid nodev &&
	mnt_lacks out /tmp noexec &&
	check_nothing_left
'

test_expect_success 'a readonly root cannot be written' '
	make_bundle b2 "[\"/probe\", \"mounts\", \"write\", \"/newfile\", \"write\", \"/tmp/ok\"]" &&
	oci run -b b2 m2 >out &&
	mnt_has out / 3 ro &&
	test_grep out "^write /newfile: EROFS$" &&
	test_grep out "^write /tmp/ok: ok$" &&
	test ! -e b2/rootfs/newfile &&
	check_nothing_left
'

test_expect_success 'a writable root is written through to the bundle'"'"'s rootfs' '
	make_bundle b3 "[\"/probe\", \"mounts\", \"write\", \"/newfile\"]" &&
	config_set b3 root "{ \"path\": \"rootfs\", \"readonly\": false }" &&
	oci run -b b3 m3 >out &&
	mnt_has out / 3 rw &&
	test_grep out "^write /newfile: ok$" &&
	echo probe >expect &&
	test_cmp expect b3/rootfs/newfile &&
	check_nothing_left
'

test_expect_success 'a readonly bind mount can be read, not written' '
	mkdir -p data && echo hello >data/file &&
	make_bundle b4 "[\"/bin/sh\", \"-c\", \"cat /data/file; /probe mounts write /data/new write /data/file\"]" &&
	add_bind b4 "$TRASH/data" /data ro &&
	oci run -b b4 m4 >out &&
	test_grep out "^hello$" &&
	mnt_has out /data 3 ro &&
	test_grep out "^write /data/new: EROFS$" &&
	test_grep out "^write /data/file: EROFS$" &&
	test ! -e data/new &&
	echo hello >expect && test_cmp expect data/file &&
	check_nothing_left
'

test_expect_success 'a writable bind mount writes to the host directory' '
	make_bundle b5 "[\"/probe\", \"mounts\", \"write\", \"/data/new\"]" &&
	add_bind b5 "$TRASH/data" /data rw &&
	oci run -b b5 m5 >out &&
	mnt_has out /data 3 rw &&
	test_grep out "^write /data/new: ok$" &&
	echo probe >expect && test_cmp expect data/new &&
	rm data/new &&
	check_nothing_left
'

test_expect_success 'nosuid, nodev and noexec on a bind mount are in force' '
	cp "$PROBE" data/probe &&
	make_bundle b6 "[\"/bin/sh\", \"-c\", \"/probe mounts; /data/probe pid; echo rc=\$?\"]" &&
	add_bind b6 "$TRASH/data" /data nosuid nodev noexec &&
	oci run -b b6 m6 >out &&
	mnt_has out /data 3 nosuid nodev noexec &&
	test_grep out "^rc=126$" &&
	test_grep_not out "^pid: " &&
	check_nothing_left
'

test_expect_success 'atime options on a bind mount are in force' '
	make_bundle b7 "[\"/probe\", \"mounts\"]" &&
	mkdir -p data2 &&
	add_bind b7 "$TRASH/data" /data noatime &&
	add_bind b7 "$TRASH/data2" /data2 strictatime &&
	oci run -b b7 m7 >out &&
	mnt_has out /data 3 noatime &&
	mnt_lacks out /data2 noatime relatime &&
	check_nothing_left
'

test_expect_success 'bind takes one mount, rbind the mounts under it too' '
	mkdir -p src/sub &&
	mount -t tmpfs tmpfs src/sub &&
	touch src/sub/marker &&
	make_bundle b8 "[\"/bin/sh\", \"-c\", \"ls /plain/sub /rec/sub\"]" &&
	add_bind b8 "$TRASH/src" /plain &&
	add_bind b8 "$TRASH/src" /rec rbind &&
	rc=0 && { oci run -b b8 m8 >out 2>&1 || rc=$?; } &&
	umount src/sub &&
	cat out && test "$rc" = 0 &&
	test "$(grep -c -x marker out)" -eq 1 &&
	check_nothing_left
'

test_expect_success 'mounts are made in order, a later one inside an earlier one' '
	make_bundle b9 "[\"/bin/cat\", \"/m/d/file\"]" &&
	add_mounts b9 "{ \"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }" &&
	add_bind b9 "$TRASH/data" /m/d ro &&
	oci run -b b9 m9 >out &&
	echo hello >expect && test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'missing destinations are created, also under a readonly root' '
	echo content >hostfile &&
	make_bundle b10 "[\"/bin/sh\", \"-c\", \"/probe mounts; cat /etc/extra/file\"]" &&
	add_mounts b10 "{ \"destination\": \"/new/deep/dir\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }" &&
	add_mounts b10 "{ \"destination\": \"/etc/extra/file\", \"type\": \"bind\", \"source\": \"$TRASH/hostfile\", \"options\": [ \"bind\", \"ro\" ] }" &&
	oci run -b b10 m10 >out &&
	mnt_has out /new/deep/dir 4 tmpfs &&
	test_grep out "^content$" &&
	test -d b10/rootfs/new/deep/dir &&
	test -f b10/rootfs/etc/extra/file &&
	check_nothing_left
'

test_expect_success 'a bind source that does not exist fails create and leaves nothing' '
	make_bundle b11 "[\"/bin/true\"]" &&
	add_mounts b11 "{ \"destination\": \"/x\", \"type\": \"bind\", \"source\": \"$TRASH/no-such-dir\", \"options\": [ \"bind\" ] }" &&
	test_must_fail oci create -b b11 m11 2>err &&
	test_grep err "^ocimin: .*no-such-dir" &&
	check_nothing_left
'

test_expect_success 'a filesystem type the kernel does not know fails create and leaves nothing' '
	make_bundle b12 "[\"/bin/true\"]" &&
	add_mounts b12 "{ \"destination\": \"/x\", \"type\": \"nosuchfs\", \"source\": \"none\" }" &&
	test_must_fail oci create -b b12 m12 2>err &&
	test_grep err "^ocimin: .*/x" &&
	check_nothing_left
'

ESC=ocimin-escape-$$
# run_via_link N LINK TARGET DEST: container mN, whose rootfs has LINK, a
# symlink to TARGET, mounts a tmpfs at DEST (through LINK): the probe's
# mounts in out, the exit status in rc, so that the host is checked first.
run_via_link() {
	make_bundle "b$1" "[\"/probe\", \"mounts\"]" &&
	ln -s "$3" "b$1/rootfs$2" &&
	add_mounts "b$1" "{ \"destination\": \"$4\", \"type\": \"tmpfs\", \"source\": \"tmpfs\" }" &&
	rc=0 && { oci run -b "b$1" "m$1" >out || rc=$?; }
}

test_expect_success 'a destination through a symlink to / stays in the rootfs' '
	run_via_link 13 /evil / "/evil/$ESC" &&
	test ! -e "/$ESC" &&
	test "$rc" = 0 &&
	test -d "b13/rootfs/$ESC" &&
	mnt_has out "/$ESC" 4 tmpfs &&
	check_nothing_left
'

test_expect_success 'a destination through a relative symlink out of the rootfs stays in it' '
	run_via_link 14 /up ../../../../../../../../../.. "/up/$ESC" &&
	test ! -e "/$ESC" &&
	test "$rc" = 0 &&
	test -d "b14/rootfs/$ESC" &&
	mnt_has out "/$ESC" 4 tmpfs &&
	check_nothing_left
'

test_expect_success 'a destination through a symlink to a host directory stays in the rootfs' '
	mkdir -p outside &&
	run_via_link 15 /hostdir "$TRASH/outside" /hostdir/x &&
	test ! -e outside/x &&
	test "$rc" = 0 &&
	mnt_has out "$TRASH/outside/x" 4 tmpfs &&
	check_nothing_left
'

test_expect_success 'a file destination that is a symlink to a host file does not cover it' '
	echo victim >victim && echo payload >payload-file &&
	make_bundle b16 "[\"/bin/cat\", \"/evilfile\"]" &&
	ln -s "$TRASH/victim" b16/rootfs/evilfile &&
	add_mounts b16 "{ \"destination\": \"/evilfile\", \"type\": \"bind\", \"source\": \"$TRASH/payload-file\", \"options\": [ \"bind\", \"ro\" ] }" &&
	rc=0 && { oci run -b b16 m16 >out || rc=$?; } &&
	echo victim >expect && test_cmp expect victim &&
	test "$rc" = 0 &&
	echo payload >expect && test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'masked files read empty and masked directories are empty' '
	make_bundle b17 "[\"/probe\", \"read\", \"/etc/secret\", \"ls\", \"/etc/secretdir\", \"write\", \"/etc/secretdir/x\", \"read\", \"/proc/uptime\", \"ls\", \"/sys/kernel\"]" &&
	echo s3cret >b17/rootfs/etc/secret &&
	mkdir b17/rootfs/etc/secretdir && touch b17/rootfs/etc/secretdir/a b17/rootfs/etc/secretdir/b &&
	config_set b17 maskedPaths "[ \"/etc/secret\", \"/etc/secretdir\", \"/no/such/path\", \"/proc/uptime\", \"/sys/kernel\" ]" &&
	oci run -b b17 m17 >out &&
	test_grep out "^read /etc/secret: 0 bytes$" &&
	test_grep out "^ls /etc/secretdir:$" &&
	test_grep_not out "^write /etc/secretdir/x: ok$" &&
	test_grep out "^read /proc/uptime: 0 bytes$" &&
	test_grep out "^ls /sys/kernel:$" &&
	echo s3cret >expect && test_cmp expect b17/rootfs/etc/secret &&
	test ! -e b17/rootfs/no &&
	check_nothing_left
'

test_expect_success 'readonly paths cannot be written, the rest can' '
	mkdir -p data3/ro &&
	make_bundle b18 "[\"/probe\", \"write\", \"/data/ro/x\", \"write\", \"/data/x\", \"write\", \"/proc/sys/kernel/hostname\"]" &&
	add_bind b18 "$TRASH/data3" /data rw &&
	config_set b18 readonlyPaths "[ \"/data/ro\", \"/proc/sys\", \"/no/such/path\" ]" &&
	oci run -b b18 m18 >out &&
	test_grep out "^write /data/ro/x: EROFS$" &&
	test_grep out "^write /data/x: ok$" &&
	test_grep out "^write /proc/sys/kernel/hostname: EROFS$" &&
	test -e data3/x && test ! -e data3/ro/x &&
	check_nothing_left
'

test_expect_success 'rootfsPropagation shared makes the root a shared mount' '
	make_bundle b19 "[\"/probe\", \"mounts\"]" "\"rootfsPropagation\": \"shared\"" &&
	oci run -b b19 m19 >out &&
	mnt out / >rootline &&
	test_grep rootline " shared:[0-9]+" &&
	check_nothing_left
'

test_expect_success 'rootfsPropagation private makes the root a private mount' '
	make_bundle b20 "[\"/probe\", \"mounts\"]" "\"rootfsPropagation\": \"private\"" &&
	oci run -b b20 m20 >out &&
	mnt out / >rootline &&
	test -s rootline &&
	test_grep_not rootline " (shared|master):[0-9]+" &&
	check_nothing_left
'

test_expect_success 'rootfsPropagation unbindable makes the root unbindable' '
	make_bundle b21 "[\"/probe\", \"mounts\"]" "\"rootfsPropagation\": \"unbindable\"" &&
	oci run -b b21 m21 >out &&
	mnt out / >rootline &&
	test_grep rootline " unbindable( |$)" &&
	check_nothing_left
'

test_expect_success 'a propagation option on a mount is in force' '
	make_bundle b22 "[\"/probe\", \"mounts\"]" &&
	add_mounts b22 "{ \"destination\": \"/sh\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ \"shared\" ] }" &&
	oci run -b b22 m22 >out &&
	mnt out /sh >line &&
	test_grep line " shared:[0-9]+" &&
	check_nothing_left
'

test_expect_success 'a cgroup2 filesystem can be mounted' '
	make_bundle b23 "[\"/probe\", \"mounts\"]" &&
	add_mounts b23 "{ \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup2\", \"source\": \"cgroup\", \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }" &&
	oci run -b b23 m23 >out &&
	mnt_has out /sys/fs/cgroup 4 cgroup2 &&
	mnt_has out /sys/fs/cgroup 3 ro nosuid noexec nodev &&
	check_nothing_left
'

test_expect_success 'with --no-pivot the container still sees only its rootfs' '
	make_bundle b24 "[\"/probe\", \"ls\", \"/\", \"write\", \"/newfile\", \"cwd\", \"mounts\"]" &&
	oci create --no-pivot -b b24 m24 >out &&
	oci start m24 &&
	retry 100 status_is m24 stopped &&
	oci delete m24 &&
	test_grep out "^ls /: bin dev etc probe proc root sys tmp$" &&
	test_grep out "^write /newfile: EROFS$" &&
	test_grep out "^cwd: /$" &&
	mnt_has out / 3 ro &&
	mnt_has out /proc 4 proc &&
	check_nothing_left
'

test_expect_success 'the host'"'"'s mounts are the same after containers ran' '
	grep -v -F "/ocimin-trash." /proc/self/mountinfo >before &&
	make_bundle b25 "[\"/bin/true\"]" "\"rootfsPropagation\": \"shared\"" &&
	oci run -b b25 m25 &&
	oci run --no-pivot -b b25 m25 &&
	grep -v -F "/ocimin-trash." /proc/self/mountinfo >after &&
	test_cmp before after &&
	check_nothing_left
'

test_done
