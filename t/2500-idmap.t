#!/bin/sh
test_description='idmapped bind mounts: uidMappings/gidMappings on a mount, idmap and ridmap'
. "$(dirname "$0")/lib.sh"

is_root() { test "$(id -u)" = 0; }
test_skip_unless is_root 'root: idmapping a mount takes CAP_SYS_ADMIN over its filesystem'

# Whether this kernel idmaps mounts of $TRASH's filesystem: mount_setattr
# came with Linux 5.12 for ext4, xfs, btrfs, fat; tmpfs has it since 6.3.
# Where it does not, ocimin must say so instead.
kv=$(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
at_least() { test "${kv% *}" -gt "$1" || { test "${kv% *}" -eq "$1" && test "${kv#* }" -ge "$2"; }; }
case $(stat -f -c %T "$TRASH") in
tmpfs) idmap_here() { at_least 6 3; } ;;
ext2/ext3|ext4|xfs|btrfs|vfat|msdos|fat) idmap_here() { at_least 5 12; } ;;
*) idmap_here() { false; } ;;
esac
if idmap_here; then say "this kernel idmaps mounts of $TRASH"; else say "no idmapped mounts of $TRASH here: testing the error"; fi

UMAP='"uidMappings": [ { "containerID": 0, "hostID": 1000, "size": 10 } ]'
GMAP='"gidMappings": [ { "containerID": 0, "hostID": 2000, "size": 10 } ]'

# idmap_mount DEST SOURCE OPTIONS [MAPPINGS]: a mount object
idmap_mount() {
	printf '{ "destination": "%s", "type": "bind", "source": "%s", "options": [ %s ]%s }' \
		"$1" "$2" "$3" "${4:+, $4}"
}

mkdir -p src && touch src/f0 src/f5 && chown 0:0 src/f0 && chown 5:6 src/f5

test_expect_success 'an idmapped bind mount shows the ids its mapping gives' '
	make_sh_bundle b "stat -c \"%n %u %g\" /idm/f0 /idm/f5 >/shared/out" &&
	add_mounts b "$(idmap_mount /idm "$TRASH/src" "\"bind\", \"idmap\"" "$UMAP, $GMAP")" &&
	if idmap_here; then
		oci run -b b i1 &&
		printf "/idm/f0 1000 2000\n/idm/f5 1005 2006\n" >expect &&
		test_cmp expect b/shared/out &&
		test "$(stat -c "%u %g" src/f5)" = "5 6"
	else
		test_must_fail oci run -b b i1 2>err &&
		test_grep err "^ocimin: mount $TRASH/src on /idm: .*idmapped mounts"
	fi &&
	check_nothing_left
'

test_expect_success 'files made through it get the unmapped ids' '
	idmap_here || exit 0
	make_sh_bundle b2 "touch /idm/new" &&
	add_mounts b2 "$(idmap_mount /idm "$TRASH/src" "\"bind\", \"idmap\"" "$UMAP, $GMAP")" &&
	config_set b2 user "{ \"uid\": 1003, \"gid\": 2004 }" &&
	chmod 777 src &&
	oci run -b b2 i2 &&
	chmod 755 src &&
	test "$(stat -c "%u %g" src/new)" = "3 4" &&
	rm src/new &&
	check_nothing_left
'

test_expect_success 'ridmap idmaps the submounts of an rbind too, idmap only its top' '
	idmap_here || exit 0
	mkdir -p src2/sub other && touch other/g &&
	mount -o bind "$TRASH/other" "$TRASH/src2/sub" &&
	make_sh_bundle b3 "stat -c \"%n %u\" /r1/sub/g /r2/sub/g >/shared/out" &&
	add_mounts b3 "$(idmap_mount /r1 "$TRASH/src2" "\"rbind\", \"idmap\"" "$UMAP, $GMAP"), $(idmap_mount /r2 "$TRASH/src2" "\"rbind\", \"ridmap\"" "$UMAP, $GMAP")" &&
	oci run -b b3 i3 &&
	umount "$TRASH/src2/sub" &&
	printf "/r1/sub/g 0\n/r2/sub/g 1000\n" >expect &&
	test_cmp expect b3/shared/out &&
	check_nothing_left
'

BASE=200000
MAPS='"uidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": '$BASE', "size": 65536 } ]'

test_expect_success 'without mappings of its own an idmap mount takes the user namespace'"'"'s' '
	idmap_here || exit 0
	make_sh_bundle b4 "stat -c \"%n %u\" /idm/f0 /plain/f0 >/shared/out; touch /idm/new" "$MAPS" &&
	config_set b4 namespaces "[ { \"type\": \"pid\" }, { \"type\": \"ipc\" }, { \"type\": \"mount\" }, { \"type\": \"user\" } ]" &&
	config_del b4 hostname &&
	add_mounts b4 "$(idmap_mount /idm "$TRASH/src" "\"bind\", \"idmap\""), { \"destination\": \"/plain\", \"type\": \"bind\", \"source\": \"$TRASH/src\", \"options\": [ \"bind\" ] }" &&
	chown -R $BASE:$BASE b4/rootfs b4/shared &&
	oci run -b b4 i4 &&
	printf "/idm/f0 0\n/plain/f0 65534\n" >expect &&
	test_cmp expect b4/shared/out &&
	test "$(stat -c %u src/new)" = 0 &&
	rm src/new &&
	check_nothing_left
'

test_expect_success 'a filesystem that cannot be idmapped fails create, naming the feature' '
	make_bundle b5 "[\"/bin/true\"]" &&
	add_mounts b5 "$(idmap_mount /k /sys/kernel "\"bind\", \"idmap\"" "$UMAP, $GMAP")" &&
	test_must_fail oci create -b b5 i5 2>err &&
	test_grep err "^ocimin: mount /sys/kernel on /k: .*idmapped mounts.*Linux 5.12" &&
	check_nothing_left
'

test_expect_success 'idmap on a mount that is not a bind, half a mapping, or no mapping at all is refused' '
	make_bundle b6 "[\"/bin/true\"]" &&
	add_mounts b6 "{ \"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ \"idmap\" ] }" &&
	test_must_fail oci create -b b6 i6 2>err &&
	test_grep err "mounts\[[0-9]+\]: idmap: only bind mounts can be idmapped" &&
	make_bundle b7 "[\"/bin/true\"]" &&
	add_mounts b7 "$(idmap_mount /idm "$TRASH/src" "\"bind\", \"idmap\"" "$UMAP")" &&
	test_must_fail oci create -b b7 i7 2>err &&
	test_grep err "mounts\[[0-9]+\]\.gidMappings: required with uidMappings" &&
	make_bundle b8 "[\"/bin/true\"]" &&
	add_mounts b8 "$(idmap_mount /idm "$TRASH/src" "\"bind\", \"ridmap\"")" &&
	test_must_fail oci create -b b8 i8 2>err &&
	test_grep err "mounts\[[0-9]+\]: idmap without uidMappings takes the user namespace mappings of the container, which has none" &&
	check_nothing_left
'

test_expect_success 'features says idmapped mounts are supported' '
	ocimin features | tr -d "\n " | grep "\"idmap\":{\"enabled\":true}"
'

test_done
