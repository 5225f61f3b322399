#!/bin/sh
# fuzz/seeds.sh DIR - the seed inputs of each fuzz target, in DIR/<target>:
# t/corpus (the malformed files the tests feed ocimin, and valid ones),
# what `ocimin spec` writes, and the Docker seccomp profile in a config;
# and DIR/json.dict, the words json.c knows, for libFuzzer's -dict.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
c=$top/t/corpus
rm -rf "$out"
mkdir -p "$out/config" "$out/seccomp" "$out/process" "$out/resources" "$out/state"
cp "$c"/config/*.json "$c"/valid/config-*.json "$out/config/"
for k in process resources state; do
	cp "$c/$k"/*.json "$c"/valid/"$k"-*.json "$out/$k/"
done
if [ -x "$top/ocimin" ]; then
	(cd "$out/config" && mkdir s r && "$top/ocimin" spec --bundle s &&
	 "$top/ocimin" spec --rootless --bundle r &&
	 mv s/config.json spec.json && mv r/config.json spec-rootless.json && rmdir s r)
fi
{
	printf '{ "ociVersion": "1.2.0", "root": { "path": "rootfs" },\n'
	printf '  "process": { "args": [ "sh" ] },\n  "linux": { "seccomp": '
	cat "$top/t/seccomp-docker.json"
	printf '} }\n'
} >"$out/seccomp/docker.json"
grep -l '"seccomp"' "$out"/config/*.json | while read -r f; do
	cp "$f" "$out/seccomp/"
done
# every quoted word of json.c, as a JSON string and bare
grep -o '"[A-Za-z_][A-Za-z0-9_.]*"' "$top/json.c" | sort -u |
	sed -e 's/"/\\"/g' -e 's/.*/"&"/' >"$out/json.dict"
grep -o '"[A-Za-z_][A-Za-z0-9_.]*"' "$top/json.c" | sort -u >>"$out/json.dict"
printf '"%s"\n' '\\u0000' '\\ud800\\udc00' '\\n' '[' ']' '{' '}' ':' ',' 'null' 'true' \
	'false' '-1' '0' '18446744073709551615' '18446744073709551616' \
	'9223372036854775808' '-9223372036854775809' '4294967296' '1e3' '0.5' >>"$out/json.dict"
