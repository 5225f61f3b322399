#!/bin/sh
test_description='the five capability sets of the payload are the config'"'"'s'
. "$(dirname "$0")/lib.sh"

# caps_json BOUNDING EFFECTIVE INHERITABLE PERMITTED AMBIENT: each a comma
# separated list of names without CAP_, or empty.
caps_json() {
	cj=
	for set in bounding effective inheritable permitted ambient; do
		list=
		for c in $(echo "$1" | tr , " "); do
			list="$list${list:+, }\"CAP_$c\""
		done
		cj="$cj${cj:+, }\"$set\": [ $list ]"
		shift
	done
	echo "{ $cj }"
}

# expect_caps FILE INH PRM EFF BND AMB: the probe's hex masks, 16 digits.
expect_caps() {
	printf "CapInh: %016x\nCapPrm: %016x\nCapEff: %016x\nCapBnd: %016x\nCapAmb: %016x\n" \
		"$2" "$3" "$4" "$5" "$6" >expect &&
	test_cmp expect "$1"
}

CHOWN=$((1 << 0)) KILL=$((1 << 5)) NET_BIND=$((1 << 10)) SYS_ADMIN=$((1 << 21))
AUDIT_WRITE=$((1 << 29)) MKNOD=$((1 << 27))

test_expect_success 'root gets the default sets of runc spec exactly' '
	make_bundle b "[\"/probe\", \"caps\"]" &&
	oci run -b b c1 >out &&
	m=$((AUDIT_WRITE | KILL | NET_BIND)) &&
	expect_caps out 0 $m $m $m 0 &&
	check_nothing_left
'

test_expect_success 'with noNewPrivileges root keeps just its permitted and effective sets' '
	make_bundle b2 "[\"/probe\", \"caps\"]" &&
	config_set b2 capabilities "$(caps_json CHOWN,KILL,SYS_ADMIN KILL "" KILL "")" &&
	oci run -b b2 c2 >out &&
	expect_caps out 0 $KILL $KILL $((CHOWN | KILL | SYS_ADMIN)) 0 &&
	check_nothing_left
'

test_expect_success 'without noNewPrivileges the bounding set caps what root gains at exec' '
	config_set b2 noNewPrivileges false &&
	oci run -b b2 c2 >out &&
	m=$((CHOWN | KILL | SYS_ADMIN)) &&
	expect_caps out 0 $m $m $m 0 &&
	check_nothing_left
'

test_expect_success 'empty sets leave root with no capability at all' '
	make_bundle b3 "[\"/probe\", \"caps\"]" &&
	config_set b3 capabilities "{ }" &&
	oci run -b b3 c3 >out &&
	expect_caps out 0 0 0 0 0 &&
	check_nothing_left
'

test_expect_success 'a user other than root keeps only its ambient capabilities' '
	make_bundle b4 "[\"/probe\", \"caps\", \"ids\"]" &&
	config_set b4 user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	config_set b4 capabilities "$(caps_json CHOWN,KILL,NET_BIND_SERVICE CHOWN,KILL CHOWN,KILL CHOWN,KILL CHOWN)" &&
	oci run -b b4 c4 >out &&
	head -n 5 out >caps &&
	expect_caps caps $((CHOWN | KILL)) $CHOWN $CHOWN $((CHOWN | KILL | NET_BIND)) $CHOWN &&
	test_grep out "^uid: 1000$" &&
	check_nothing_left
'

test_expect_success 'a user other than root without ambient capabilities has none' '
	make_bundle b5 "[\"/probe\", \"caps\"]" &&
	config_set b5 user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	config_set b5 capabilities "$(caps_json CHOWN,KILL CHOWN,KILL "" CHOWN,KILL "")" &&
	oci run -b b5 c5 >out &&
	expect_caps out 0 0 0 $((CHOWN | KILL)) 0 &&
	check_nothing_left
'

test_expect_success 'a dropped capability is really gone: mknod and chown fail' '
	make_bundle b6 "[\"/bin/sh\", \"-c\", \"mknod /tmp/n c 1 3 && echo mknod-ok; touch /tmp/f && chown 1234 /tmp/f && echo chown-ok; true\"]" &&
	oci run -b b6 c6 >out 2>&1 &&
	test_grep_not out "mknod-ok" &&
	test_grep_not out "chown-ok" &&
	config_set b6 capabilities "$(caps_json CHOWN,MKNOD CHOWN,MKNOD "" CHOWN,MKNOD "")" &&
	oci run -b b6 c6 >out 2>&1 &&
	test_grep out "^mknod-ok$" &&
	test_grep out "^chown-ok$" &&
	check_nothing_left
'

test_expect_success 'an ambient capability works for a user other than root' '
	make_bundle b7 "[\"/bin/sh\", \"-c\", \"touch /tmp/f && chown 0 /tmp/f && echo chown-ok; true\"]" &&
	config_set b7 user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	config_set b7 capabilities "$(caps_json CHOWN CHOWN CHOWN CHOWN CHOWN)" &&
	oci run -b b7 c7 >out 2>&1 &&
	test_grep out "^chown-ok$" &&
	config_set b7 capabilities "$(caps_json CHOWN CHOWN CHOWN CHOWN "")" &&
	oci run -b b7 c7 >out 2>&1 &&
	test_grep_not out "chown-ok" &&
	check_nothing_left
'

test_expect_success 'an ambient capability outside permitted and inheritable is refused' '
	make_bundle b8 "[\"/bin/true\"]" &&
	config_set b8 capabilities "$(caps_json CHOWN,KILL CHOWN "" CHOWN KILL)" &&
	test_must_fail oci create -b b8 c8 2>err &&
	test_grep err "^ocimin: .*(CAP_KILL|ambient)" &&
	check_nothing_left
'

test_expect_success 'capabilities are set in a created and started container too' '
	make_sh_bundle b9 "/probe caps >/shared/caps" &&
	config_set b9 capabilities "$(caps_json KILL,CHOWN KILL,CHOWN "" KILL,CHOWN "")" &&
	oci create -b b9 c9 && oci start c9 &&
	retry 100 status_is c9 stopped &&
	oci delete c9 &&
	m=$((KILL | CHOWN)) &&
	expect_caps b9/shared/caps 0 $m $m $m 0 &&
	check_nothing_left
'

test_done
