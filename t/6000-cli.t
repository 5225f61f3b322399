#!/bin/sh
test_description='the runc-compatible command line: options, usage errors, list, spec, features'
. "$(dirname "$0")/lib.sh"

test_expect_success '--version prints the version, then the spec version' '
	ocimin --version >out &&
	test "$(wc -l <out)" -ge 2 &&
	sed -n 1p out | grep -E "^ocimin version [0-9]" &&
	sed -n 2p out | grep -x "spec: 1.3.0"
'

test_expect_success '--help prints usage and exits 0' '
	ocimin --help >out &&
	test_grep out "^usage: ocimin" &&
	for cmd in create start state kill delete run list spec features; do
		test_grep out "^ +$cmd " || exit 1
	done
'

test_expect_success 'every command takes --help and exits 0' '
	for cmd in create start state kill delete run list spec features; do
		oci $cmd --help >out &&
		test_grep out "usage: .*$cmd" || exit 1
	done &&
	check_nothing_left
'

test_expect_success 'no command is a usage error' '
	test_expect_code 2 ocimin 2>err &&
	test_grep err "^ocimin: .*command"
'

test_expect_success 'an unknown command is a usage error that names it' '
	test_expect_code 2 oci frobnicate x 2>err &&
	test_grep err "^ocimin: .*frobnicate"
'

test_expect_success 'an unknown global option is a usage error that names it' '
	test_expect_code 2 ocimin --frobnicate list 2>err &&
	test_grep err "^ocimin: .*--frobnicate"
'

test_expect_success 'an unknown command option is a usage error that names it' '
	make_bundle b "[\"/bin/true\"]" &&
	for cmd in create run start state kill delete list spec features; do
		test_expect_code 2 oci $cmd --frobnicate x 2>err &&
		test_grep err "^ocimin: .*frobnicate" || exit 1
	done &&
	check_nothing_left
'

test_expect_success 'a missing container id is a usage error' '
	for cmd in create run start state kill delete; do
		test_expect_code 2 oci $cmd 2>err &&
		test_grep err "^ocimin: .*(id|ID)" || exit 1
	done &&
	check_nothing_left
'

test_expect_success 'an option missing its value is a usage error' '
	test_expect_code 2 oci create --bundle 2>err &&
	test_grep err "^ocimin: " &&
	test_expect_code 2 ocimin --root 2>err &&
	test_grep err "^ocimin: " &&
	check_nothing_left
'

test_expect_success 'a --preserve-fds that is not a number is a usage error' '
	test_expect_code 2 oci create --preserve-fds many -b b x 2>err &&
	test_grep err "^ocimin: .*many" &&
	check_nothing_left
'

test_expect_success 'too many arguments is a usage error' '
	test_expect_code 2 oci state a b 2>err &&
	test_grep err "^ocimin: " &&
	test_expect_code 2 oci delete a b 2>err &&
	test_expect_code 2 oci kill a KILL extra 2>err &&
	test_expect_code 2 oci create -b b a b 2>err &&
	check_nothing_left
'

test_expect_success 'create takes runc'"'"'s options' '
	make_bundle b2 "[\"/bin/true\"]" &&
	oci create --bundle b2 --pid-file p --no-new-keyring --preserve-fds 0 o1 &&
	status_is o1 created &&
	oci delete --force o1 &&
	oci create -b b2 --no-pivot o2 &&
	status_is o2 created &&
	oci delete --force o2 &&
	check_nothing_left
'

test_expect_success '--root keeps state where it says, creating the directory' '
	make_bundle b3 "[\"/bin/sleep\", \"10\"]" &&
	ocimin --root "$TRASH/other/deep" create -b b3 r1 &&
	test -d "$TRASH/other/deep/r1" &&
	ocimin --root "$TRASH/other/deep" state r1 >st &&
	test_grep st "\"status\": *\"created\"" &&
	test_must_fail oci state r1 &&
	oci list >out &&
	test_grep_not out "^r1 " &&
	ocimin --root "$TRASH/other/deep" delete --force r1 &&
	test ! -e "$TRASH/other/deep/r1" &&
	check_nothing_left
'

test_expect_success 'list prints a table: ID PID STATUS BUNDLE CREATED OWNER' '
	make_bundle b4 "[\"/bin/sleep\", \"10\"]" &&
	oci create -b b4 l1 &&
	pid=$(state_field l1 pid) &&
	oci list >out &&
	head -n 1 out | tr -s " \t" " " | sed "s/ *$//" >header &&
	echo "ID PID STATUS BUNDLE CREATED OWNER" >expect &&
	test_cmp expect header &&
	test_grep out "^l1 +$pid +created +$TRASH/b4 +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root *$"
'

test_expect_success 'list --format json and -f json print the containers as JSON' '
	oci list --format json >out &&
	tr -d "\n" <out >out1 &&
	test_grep out1 "^[[:space:]]*\[.*\][[:space:]]*$" &&
	test_grep out1 "\"id\": *\"l1\"" &&
	test_grep out1 "\"status\": *\"created\"" &&
	test_grep out1 "\"bundle\": *\"$TRASH/b4\"" &&
	oci list -f json >out2 &&
	test_cmp out out2
'

test_expect_success 'list --format of something else is a usage error' '
	test_expect_code 2 oci list --format yaml 2>err &&
	test_grep err "^ocimin: "
'

test_expect_success 'list shows a stopped container as stopped' '
	oci kill l1 KILL &&
	retry 100 status_is l1 stopped &&
	oci list >out &&
	test_grep out "^l1 .* stopped " &&
	oci delete l1 &&
	oci list >out &&
	test_grep_not out "^l1 " &&
	check_nothing_left
'

test_expect_success 'list of a root that does not exist is empty' '
	ocimin --root "$TRASH/none" list >out &&
	test "$(wc -l <out)" -le 1 &&
	test_grep_not out "^[a-z0-9]+ +[0-9]"
'

test_expect_success 'spec writes a config.json that runs' '
	mkdir -p s1 &&
	(cd s1 && oci spec) &&
	test -s s1/config.json &&
	test_grep s1/config.json "\"ociVersion\": *\"1\.[0-9]+\.[0-9]+\"" &&
	make_rootfs s1/rootfs &&
	sed "s/\"terminal\": *true/\"terminal\": false/" s1/config.json >s1/c &&
	mv s1/c s1/config.json &&
	oci run -b s1 sp1 </dev/null &&
	check_nothing_left
'

test_expect_success 'spec --bundle writes into that directory' '
	mkdir -p s2 &&
	oci spec --bundle s2 &&
	test -s s2/config.json &&
	test ! -e config.json
'

test_expect_success 'spec refuses to overwrite a config.json' '
	echo "{}" >s2/config.json &&
	test_must_fail oci spec --bundle s2 2>err &&
	test_grep err "^ocimin: .*config.json" &&
	echo "{}" >expect &&
	test_cmp expect s2/config.json
'

test_expect_success 'spec --rootless writes a user namespace with id mappings' '
	mkdir -p s3 &&
	oci spec --rootless --bundle s3 &&
	tr -d "\n" <s3/config.json >c &&
	test_grep c "\"type\": *\"user\"" &&
	test_grep c "\"uidMappings\": *\[" &&
	test_grep c "\"gidMappings\": *\["
'

test_expect_success 'features prints runtime-spec features JSON' '
	oci features >out &&
	tr -d "\n" <out >f &&
	test_grep f "^[[:space:]]*\{.*\}[[:space:]]*$" &&
	test_grep f "\"ociVersionMin\": *\"1\.0\.0\"" &&
	test_grep f "\"ociVersionMax\": *\"1\.3\.0\"" &&
	test_grep f "\"namespaces\": *\[[^]]*\"pid\"" &&
	test_grep f "\"namespaces\": *\[[^]]*\"network\"" &&
	test_grep f "\"capabilities\": *\[[^]]*\"CAP_SYS_ADMIN\"" &&
	test_grep f "\"mountOptions\": *\[[^]]*\"nosuid\""
'

test_expect_success '--log-format json writes errors as JSON lines to --log' '
	test_must_fail oci --log "$TRASH/log.json" --log-format json state nosuch 2>err &&
	test_grep log.json "^\{.*\"level\": *\"error\".*\}$" &&
	test_grep log.json "\"msg\": *\"[^\"]*nosuch" &&
	test_grep log.json "\"time\": *\"[0-9]{4}-[0-9]{2}-[0-9]{2}T"
'

test_expect_success '--log-format text writes errors as text lines to --log' '
	test_must_fail oci --log "$TRASH/log.txt" --log-format text state nosuch &&
	test_grep log.txt "level=error" &&
	test_grep log.txt "nosuch" &&
	test_grep_not log.txt "^\{"
'

test_expect_success '--log-format json without --log writes JSON errors to stderr' '
	test_must_fail oci --log-format json state nosuch 2>err &&
	test_grep err "^\{.*\"level\": *\"error\".*\"msg\": *\"[^\"]*nosuch.*\}$"
'

test_expect_success 'a --log-format other than text or json is a usage error' '
	test_expect_code 2 oci --log-format xml list 2>err &&
	test_grep err "^ocimin: .*log-format"
'

test_expect_success '--debug is accepted' '
	oci --debug list >out &&
	test_grep out "^ID"
'

test_done
