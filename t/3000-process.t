#!/bin/sh
test_description='the payload runs as the config says: user, groups, umask, env, cwd, args, rlimits, nnp, oom, fds'
. "$(dirname "$0")/lib.sh"

test_expect_success 'the payload runs as the uid, gid and additionalGids of the config' '
	make_bundle b "[\"/probe\", \"ids\"]" &&
	config_set b user "{ \"uid\": 1000, \"gid\": 1001, \"additionalGids\": [ 7, 5, 100000 ] }" &&
	oci run -b b p1 >out &&
	printf "uid: 1000\ngid: 1001\neuid: 1000\negid: 1001\ngroups: 5 7 100000\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'without additionalGids the payload has no groups of the runtime'"'"'s' '
	make_bundle b2 "[\"/probe\", \"ids\"]" &&
	config_set b2 user "{ \"uid\": 1000, \"gid\": 1000 }" &&
	oci run -b b2 p2 >out &&
	test_grep out "^uid: 1000$" &&
	test_grep out "^groups:( 1000)?$" &&
	check_nothing_left
'

test_expect_success 'root in the container is uid and gid 0' '
	make_bundle b3 "[\"/probe\", \"ids\"]" &&
	oci run -b b3 p3 >out &&
	test_grep out "^uid: 0$" && test_grep out "^gid: 0$" &&
	test_grep out "^euid: 0$" && test_grep out "^egid: 0$" &&
	check_nothing_left
'

test_expect_success 'the umask of the config is the payload'"'"'s' '
	make_bundle b4 "[\"/probe\", \"umask\"]" &&
	config_set b4 user "{ \"uid\": 0, \"gid\": 0, \"umask\": 23 }" &&
	oci run -b b4 p4 >out &&
	test_grep out "^umask: 0027$" &&
	config_set b4 user "{ \"uid\": 0, \"gid\": 0, \"umask\": 0 }" &&
	oci run -b b4 p4 >out &&
	test_grep out "^umask: 0000$" &&
	check_nothing_left
'

test_expect_success 'the environment is exactly the config'"'"'s env' '
	make_bundle b5 "[\"/probe\", \"env\"]" &&
	config_set b5 env "[ \"PATH=/bin\", \"A=1\", \"B=with spaces\", \"EMPTY=\", \"HOME=/home/x\", \"OCIMIN_TEST_MARK=$MARK\" ]" &&
	LEAKED_FROM_HOST=yes oci run -b b5 p5 >out &&
	printf "env: PATH=/bin\nenv: A=1\nenv: B=with spaces\nenv: EMPTY=\nenv: HOME=/home/x\nenv: OCIMIN_TEST_MARK=$MARK\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'HOME defaults to the user'"'"'s home from /etc/passwd, else /' '
	make_bundle b6 "[\"/probe\", \"env\"]" &&
	oci run -b b6 p6 >out &&
	test_grep out "^env: HOME=/root$" &&
	config_set b6 user "{ \"uid\": 65534, \"gid\": 65534 }" &&
	oci run -b b6 p6 >out &&
	test_grep out "^env: HOME=/nonexistent$" &&
	config_set b6 user "{ \"uid\": 4242, \"gid\": 4242 }" &&
	oci run -b b6 p6 >out &&
	test_grep out "^env: HOME=/$" &&
	test "$(grep -c "^env: HOME=" out)" -eq 1 &&
	check_nothing_left
'

test_expect_success 'the payload starts in the config'"'"'s cwd, never the host'"'"'s' '
	make_bundle b7 "[\"/probe\", \"cwd\"]" &&
	config_set b7 cwd "\"/etc\"" &&
	mkdir -p elsewhere &&
	(cd elsewhere && oci run -b ../b7 p7) >out &&
	echo "cwd: /etc" >expect &&
	test_cmp expect out &&
	config_set b7 cwd "\"/\"" &&
	(cd elsewhere && oci run -b ../b7 p7) >out &&
	echo "cwd: /" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'the container cannot reach the cwd of the runtime through /proc' '
	make_bundle b8 "[\"/bin/sh\", \"-c\", \"readlink /proc/self/cwd; ls /proc/1/cwd/ | head -n 3\"]" &&
	mkdir -p secretdir && touch secretdir/host-secret &&
	(cd secretdir && oci run -b ../b8 p8) >out &&
	test_grep out "^/$" &&
	test_grep_not out "host-secret" &&
	check_nothing_left
'

test_expect_success 'args[0] without a slash is found on the container'"'"'s PATH' '
	make_bundle b9 "[\"probe\", \"pid\"]" &&
	config_set b9 env "[ \"PATH=/nothing:/\", \"OCIMIN_TEST_MARK=$MARK\" ]" &&
	oci run -b b9 p9 >out &&
	test_grep out "^pid: 1$" &&
	make_bundle b10 "[\"echo\", \"found\"]" &&
	oci run -b b10 p10 >out &&
	echo found >expect && test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'a missing executable fails create with its name and leaves nothing' '
	make_bundle b11 "[\"no-such-program\"]" &&
	test_must_fail oci create -b b11 p11 2>err &&
	test_grep err "^ocimin: .*no-such-program" &&
	check_nothing_left &&
	make_bundle b12 "[\"/bin/no-such-program\"]" &&
	test_must_fail oci create -b b12 p12 2>err &&
	test_grep err "^ocimin: .*/bin/no-such-program" &&
	check_nothing_left
'

test_expect_success 'a file that is not executable fails create and leaves nothing' '
	make_bundle b13 "[\"/etc/passwd\"]" &&
	test_must_fail oci create -b b13 p13 2>err &&
	test_grep err "^ocimin: .*/etc/passwd" &&
	check_nothing_left
'

test_expect_success 'an executable on PATH only as a directory is not found' '
	make_bundle b14 "[\"etc\"]" &&
	config_set b14 env "[ \"PATH=/\", \"OCIMIN_TEST_MARK=$MARK\" ]" &&
	test_must_fail oci create -b b14 p14 2>err &&
	test_grep err "^ocimin: .*etc" &&
	check_nothing_left
'

test_expect_success 'the rlimits of the config are the payload'"'"'s' '
	make_bundle b15 "[\"/probe\", \"rlimits\"]" &&
	config_set b15 rlimits "[ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1000, \"soft\": 900 }, { \"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 0 }, { \"type\": \"RLIMIT_CPU\", \"hard\": 3600, \"soft\": 1800 }, { \"type\": \"RLIMIT_NPROC\", \"hard\": 500, \"soft\": 400 } ]" &&
	oci run -b b15 p15 >out &&
	test_grep out "^RLIMIT_NOFILE: 900 1000$" &&
	test_grep out "^RLIMIT_CORE: 0 unlimited$" &&
	test_grep out "^RLIMIT_CPU: 1800 3600$" &&
	test_grep out "^RLIMIT_NPROC: 400 500$" &&
	check_nothing_left
'

test_expect_success 'an rlimit with soft above hard fails create and leaves nothing' '
	make_bundle b16 "[\"/bin/true\"]" &&
	config_set b16 rlimits "[ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 100, \"soft\": 200 } ]" &&
	test_must_fail oci create -b b16 p16 2>err &&
	test_grep err "^ocimin: .*rlimits" &&
	check_nothing_left
'

test_expect_success 'noNewPrivileges sets no_new_privs, and only then' '
	make_bundle b17 "[\"/probe\", \"nnp\"]" &&
	oci run -b b17 p17 >out &&
	test_grep out "^NoNewPrivs: 1$" &&
	config_set b17 noNewPrivileges false &&
	oci run -b b17 p17 >out &&
	test_grep out "^NoNewPrivs: 0$" &&
	check_nothing_left
'

test_expect_success 'oomScoreAdj is the payload'"'"'s oom_score_adj' '
	make_bundle b18 "[\"/probe\", \"oom\"]" &&
	config_set b18 noNewPrivileges "true, \"oomScoreAdj\": 123" &&
	oci run -b b18 p18 >out &&
	test_grep out "^oom_score_adj: 123$" &&
	check_nothing_left
'

test_expect_success 'personality LINUX32 is the payload'"'"'s' '
	make_bundle b19 "[\"/probe\", \"personality\"]" "\"personality\": { \"domain\": \"LINUX32\" }" &&
	oci run -b b19 p19 >out &&
	test_grep out "^personality: 0x8$" &&
	make_bundle b20 "[\"/probe\", \"personality\"]" "\"personality\": { \"domain\": \"LINUX\" }" &&
	oci run -b b20 p20 >out &&
	test_grep out "^personality: 0x0$" &&
	check_nothing_left
'

test_expect_success 'no signal is blocked in the payload' '
	make_bundle b21 "[\"/probe\", \"sigs\"]" &&
	oci run -b b21 p21 >out &&
	test_grep out "^SigBlk: 0000000000000000$" &&
	make_sh_bundle b22 "/probe sigs >/shared/sigs" &&
	oci create -b b22 p22 && oci start p22 &&
	retry 100 status_is p22 stopped &&
	oci delete p22 &&
	test_grep b22/shared/sigs "^SigBlk: 0000000000000000$" &&
	check_nothing_left
'

test_expect_success 'signals its caller ignores are not ignored in the payload' '
	make_bundle b21i "[\"/probe\", \"sigs\"]" &&
	(trap "" TERM INT HUP PIPE && oci run -b b21i p21i >out) &&
	test_grep out "^SigIgn: 0000000000000000$" &&
	check_nothing_left
'

test_expect_success 'no fd of the runtime reaches the payload' '
	make_bundle b23 "[\"/probe\", \"fds\"]" &&
	oci run -b b23 p23 >out 5</dev/null 7>somefile 9<b23/config.json &&
	echo "fds:" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'no fd of the runtime reaches a created and started payload' '
	make_sh_bundle b24 "/probe fds >/shared/fds" &&
	oci create -b b24 p24 5</dev/null 7>somefile &&
	oci start p24 8</dev/null &&
	retry 100 status_is p24 stopped &&
	oci delete p24 &&
	echo "fds:" >expect &&
	test_cmp expect b24/shared/fds &&
	check_nothing_left
'

test_expect_success 'run --preserve-fds N passes fds 3 to 3+N-1 and no more' '
	make_bundle b25 "[\"/probe\", \"fds\"]" &&
	echo data >passed &&
	oci run --preserve-fds 1 -b b25 p25 >out 3<passed 4<b25/config.json &&
	printf "fds: 3\nfd 3: $TRASH/passed\n" >expect &&
	test_cmp expect out &&
	oci run --preserve-fds 2 -b b25 p25 >out 3<passed 4<b25/config.json 5</dev/null &&
	printf "fds: 3 4\nfd 3: $TRASH/passed\nfd 4: $TRASH/b25/config.json\n" >expect &&
	test_cmp expect out &&
	check_nothing_left
'

test_expect_success 'create --preserve-fds keeps the fds until start' '
	make_sh_bundle b26 "/probe fds >/shared/fds; cat <&3 >/shared/read" &&
	echo secret-data >passed2 &&
	oci create --preserve-fds 1 -b b26 p26 3<passed2 &&
	oci start p26 &&
	retry 100 status_is p26 stopped &&
	oci delete p26 &&
	test_grep b26/shared/fds "^fds: 3$" &&
	echo secret-data >expect &&
	test_cmp expect b26/shared/read &&
	check_nothing_left
'

test_done
