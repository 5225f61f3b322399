#!/bin/sh
# A bad config.json: create fails before making anything, printing one line
# that names config.json and the JSON path of the fault.
. "$(dirname "$0")/lib.sh"

# new_bundle NAME [EXTRA_LINUX_JSON] [EXTRA_TOP_JSON]: a good bundle in
# $B for the container $ID, to be spoiled by edit.
new_bundle() {
	ID=$1 B=$TRASH/$1
	make_bundle "$B" '["/bin/true"]' "$2" "$3"
}

# edit SED_SCRIPT: applies it to $B/config.json, which must change.
edit() {
	sed "$1" "$B/config.json" >"$B/config.new" &&
	! cmp -s "$B/config.json" "$B/config.new" &&
	mv "$B/config.new" "$B/config.json"
}

# create_fails ERE: create exits non-zero with exactly one line on stderr,
# "ocimin: <bundle>/config.json: " followed by ERE, and leaves nothing.
create_fails() {
	if oci create --bundle "$B" "$ID" >"$TRASH/out" 2>"$TRASH/err"; then
		echo "create succeeded"
		oci delete --force "$ID"
		return 1
	fi
	test "$(wc -l <"$TRASH/err")" -eq 1 || { echo "not one line:"; cat "$TRASH/err"; return 1; }
	test_grep "$TRASH/err" "^ocimin: /.*/$ID/config\\.json: $1\$"
	check_nothing_left "$ID"
}

U32='expected an integer from 0 to 4294967295'

test_expect_success 'invalid JSON: a missing comma' '
	new_bundle syntax &&
	edit "s|\"cwd\": \"/\",|\"cwd\": \"/\"|" &&
	create_fails "invalid JSON at byte [0-9]+: unexpected character"
'

test_expect_success 'invalid JSON: a trailing comma' '
	new_bundle trailing &&
	edit "s/\"cwd\": \"\\/\",/\"cwd\": \"\\/\",,/" &&
	create_fails "invalid JSON at byte [0-9]+: unexpected character"
'

test_expect_success 'an empty config.json' '
	new_bundle empty && : >"$B/config.json" &&
	create_fails "invalid JSON at byte 1: unexpected end"
'

test_expect_success 'a config.json that is not an object' '
	new_bundle array && echo "[]" >"$B/config.json" &&
	create_fails "expected a JSON object"
'

test_expect_success 'no config.json' '
	new_bundle missing && rm "$B/config.json" &&
	! oci create --bundle "$B" "$ID" 2>"$TRASH/err" &&
	test "$(wc -l <"$TRASH/err")" -eq 1 &&
	test_grep "$TRASH/err" "^ocimin: open /.*/missing/config\\.json: No such file or directory\$" &&
	check_nothing_left "$ID"
'

test_expect_success 'process.user.uid of the wrong type' '
	new_bundle uidtype &&
	edit "s/\"uid\": 0,/\"uid\": \"0\",/" &&
	create_fails "process\\.user\\.uid: $U32"
'

test_expect_success 'process.user.uid out of range' '
	new_bundle uidrange &&
	edit "s/\"uid\": 0,/\"uid\": 4294967296,/" &&
	create_fails "process\\.user\\.uid: $U32"
'

test_expect_success 'process.user.gid negative' '
	new_bundle gidneg &&
	edit "s/\"gid\": 0 }/\"gid\": -1 }/" &&
	create_fails "process\\.user\\.gid: $U32"
'

test_expect_success 'a fraction where an integer is expected' '
	new_bundle fraction &&
	edit "s/\"rlimits\": \[.*\]/\"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1024.5 } ]/" &&
	create_fails "process\\.rlimits\\[0\\]\\.hard: expected an integer from 0 to 18446744073709551615"
'

test_expect_success 'process.terminal not a boolean' '
	new_bundle terminal &&
	edit "s/\"terminal\": false/\"terminal\": \"false\"/" &&
	create_fails "process\\.terminal: expected true or false"
'

test_expect_success 'an unknown namespace type' '
	new_bundle nstype &&
	edit "s/\"namespaces\": \[.*\]/\"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"utsname\" } ]/" &&
	create_fails "linux\\.namespaces\\[1\\]\\.type: unknown namespace type \"utsname\""
'

test_expect_success 'a duplicate namespace' '
	new_bundle nsdup &&
	edit "s/\"namespaces\": \[.*\]/\"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"uts\" }, { \"type\": \"pid\" } ]/" &&
	create_fails "linux\\.namespaces\\[2\\]\\.type: duplicate namespace type \"pid\""
'

test_expect_success 'an unknown capability' '
	new_bundle cap &&
	edit "s/\"capabilities\": {.*}/\"capabilities\": { \"bounding\": [ \"CAP_KILL\", \"CAP_KILLALL\" ] }/" &&
	create_fails "process\\.capabilities\\.bounding\\[1\\]: unknown capability \"CAP_KILLALL\""
'

test_expect_success 'an unknown rlimit' '
	new_bundle rlimit &&
	edit "s/\"rlimits\": \[.*\]/\"rlimits\": [ { \"type\": \"RLIMIT_FILES\", \"soft\": 1, \"hard\": 1 } ]/" &&
	create_fails "process\\.rlimits\\[0\\]\\.type: unknown rlimit \"RLIMIT_FILES\""
'

test_expect_success 'a missing ociVersion' '
	new_bundle noversion &&
	edit "/\"ociVersion\"/d" &&
	create_fails "ociVersion: missing required property"
'

test_expect_success 'ociVersion 2.0.0' '
	new_bundle version2 &&
	edit "s/\"ociVersion\": \"1.2.0\"/\"ociVersion\": \"2.0.0\"/" &&
	create_fails "ociVersion: unsupported version \"2\\.0\\.0\" \\(expected 1\\.x\\)"
'

for v in 1.0.0 1.1.0 1.3.0 1.9.0; do
	test_expect_success "ociVersion $v is accepted" '
		new_bundle "v$(echo "$v" | tr -d .)" &&
		edit "s/\"ociVersion\": \"1.2.0\"/\"ociVersion\": \"$v\"/" &&
		if oci create --bundle "$B" "$ID" 2>"$TRASH/err"; then
			oci delete --force "$ID"
		fi &&
		test_grep_not "$TRASH/err" "config\\.json" &&
		check_nothing_left "$ID"
	'
done

test_expect_success 'a relative mount destination' '
	new_bundle mountdest &&
	edit "s|\"destination\": \"/proc\"|\"destination\": \"proc\"|" &&
	create_fails "mounts\\[0\\]\\.destination: expected an absolute path"
'

test_expect_success 'mount options not an array' '
	new_bundle mountopts &&
	edit "s|\"source\": \"proc\" }|\"source\": \"proc\", \"options\": \"nosuid,nodev\" }|" &&
	create_fails "mounts\\[0\\]\\.options: expected an array of strings"
'

test_expect_success 'no process.args' '
	new_bundle noargs &&
	edit "/\"args\":/d" &&
	create_fails "process\\.args: missing required property"
'

test_expect_success 'empty process.args' '
	ID=emptyargs B=$TRASH/emptyargs &&
	make_bundle "$B" "[]" &&
	create_fails "process\\.args: expected a non-empty array of strings"
'

test_expect_success 'a relative process.cwd' '
	new_bundle cwd &&
	edit "s|\"cwd\": \"/\"|\"cwd\": \"home\"|" &&
	create_fails "process\\.cwd: expected an absolute path"
'

test_expect_success 'a bad escape in a string' '
	new_bundle escape &&
	edit "s/\"ocimin-test\"/\"oci\\\\qmin\"/" &&
	create_fails "invalid JSON at byte [0-9]+: invalid escape"
'

test_expect_success 'a NUL (\u0000) in a string' '
	new_bundle nul &&
	edit "s/\"ocimin-test\"/\"oci\\\\u0000min\"/" &&
	create_fails "invalid JSON at byte [0-9]+: \\\\u0000 in a string"
'

test_expect_success 'a raw control character in a string' '
	new_bundle control &&
	edit "s/\"ocimin-test\"/\"oci$(printf "\\001")min\"/" &&
	create_fails "invalid JSON at byte [0-9]+: control character in a string"
'

test_expect_success 'nesting 100 levels deep' '
	open= close= i=0
	while [ $i -lt 100 ]; do open="$open[" close="$close]" i=$((i + 1)); done
	deep=$open$close
	new_bundle deep "" "\"deep\": $deep" &&
	create_fails "invalid JSON at byte [0-9]+: nested more than 64 levels deep"
'

test_expect_success 'a config.json over 4 MiB' '
	new_bundle huge &&
	{ cat "$B/config.json"; head -c 4194304 /dev/zero | tr "\\000" " "; } >"$B/config.new" &&
	mv "$B/config.new" "$B/config.json" &&
	create_fails "larger than 4194304 bytes"
'

test_expect_success 'a missing root.path' '
	new_bundle noroot &&
	edit "s/\"root\": { \"path\": \"rootfs\", \"readonly\": true }/\"root\": { \"readonly\": true }/" &&
	create_fails "root\\.path: missing required property"
'

test_expect_success 'a bad device type' '
	new_bundle devtype "\"devices\": [ { \"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, \"minor\": 3 } ]" &&
	create_fails "linux\\.devices\\[0\\]\\.type: unknown device type \"x\""
'

test_expect_success 'a character device without a major number' '
	new_bundle devmajor "\"devices\": [ { \"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 3 } ]" &&
	create_fails "linux\\.devices\\[0\\]\\.major: missing required property"
'

test_expect_success 'a bad rootfsPropagation' '
	new_bundle propagation "\"rootfsPropagation\": \"sideways\"" &&
	create_fails "linux\\.rootfsPropagation: unknown propagation \"sideways\""
'

test_expect_success 'oomScoreAdj 5000' '
	new_bundle oom &&
	edit "s/\"noNewPrivileges\": true/\"noNewPrivileges\": true, \"oomScoreAdj\": 5000/" &&
	create_fails "process\\.oomScoreAdj: expected an integer from -1000 to 1000"
'

test_expect_success 'linux not an object' '
	ID=linux B=$TRASH/linux &&
	make_bundle "$B" "[\"/bin/true\"]" &&
	cat >"$B/config.json" <<-\JSON &&
	{ "ociVersion": "1.2.0", "root": { "path": "rootfs" },
	  "process": { "args": [ "/bin/true" ] }, "linux": [ "pid" ] }
	JSON
	create_fails "linux: expected an object"
'

test_expect_success 'an unknown seccomp action' '
	new_bundle seccomp "\"seccomp\": { \"defaultAction\": \"SCMP_ACT_MAYBE\" }" &&
	create_fails "linux\\.seccomp\\.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\""
'

test_expect_success 'a relative hook path' '
	new_bundle hook "" "\"hooks\": { \"prestart\": [ { \"path\": \"hook.sh\" } ] }" &&
	create_fails "hooks\\.prestart\\[0\\]\\.path: expected an absolute path"
'

test_expect_success 'an annotation that is not a string' '
	new_bundle annotation "" "\"annotations\": { \"a\": 1 }" &&
	create_fails "annotations\\.a: expected a string"
'

test_expect_success 'a memory limit below -1' '
	new_bundle memory "\"resources\": { \"memory\": { \"limit\": -2 } }" &&
	create_fails "linux\\.resources\\.memory\\.limit: expected an integer from -1 to 9223372036854775807"
'

test_expect_success 'an unknown clock in timeOffsets' '
	new_bundle clock "\"timeOffsets\": { \"realtime\": { \"secs\": 1 } }" &&
	create_fails "linux\\.timeOffsets: unknown clock \"realtime\""
'

test_done
