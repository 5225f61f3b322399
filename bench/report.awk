# bench/report.awk: bench/run's raw figures (out/raw.txt) into
# out/table.txt, out/results.json and out/chart.svg. POSIX awk (busybox's
# too: the VM runs it). Variables: date, machine, where, cgnote, n, w,
# nrss, out.
#
# raw.txt lines:
#   CASE RUNTIME STEP med min max rss_med rss_min rss_max n    (bench/timeit)
#   CASE RUNTIME fail STEP status N
#   gnutime-rss RUNTIME KIB          one per run
#   syscalls RUNTIME COUNT
#   size RUNTIME BYTES LIBS LIBBYTES
#   memmax RUNTIME KIB ok|fail
#   bpf RUNTIME LENGTHS GETPPID PERSONALITY   (bench/filterlen)
# and from bench/sysloop, ns per call (no RSS):
#   sysfilter|sysnone RUNTIME getppid|personality med min max 0 0 0 n

BEGIN {
	nrt = split("floor ocimin crun runc", rt, " ")
	COLW = 19
}

$1 == "gnutime-rss" { ng[$2]++; gv[$2, ng[$2]] = $3; seen[$2] = 1; next }
$1 == "syscalls" { sysc[$2] = $3; next }
$1 == "bpf" { bpflen[$2] = $3; bpfg[$2] = $4; bpfp[$2] = $5; seen[$2] = 1; next }
$1 == "size" { size[$2] = $3; libs[$2] = $4; libbytes[$2] = $5; seen[$2] = 1; next }
$1 == "memmax" {
	mm[$2, $3] = $4
	mmtried[$2] = mmtried[$2] (mmtried[$2] == "" ? "" : " ") $3
	if ($4 == "ok")
		mmok[$2] = $3
	seen[$2] = 1
	next
}
$3 == "fail" { failed[$1, $2] = "failed at " $4 " (status " $6 ")"; seen[$2] = 1; next }
NF == 10 {
	k = $1 SUBSEP $2 SUBSEP $3
	med[k] = $4; mn[k] = $5; mx[k] = $6
	rmed[k] = $7; rmin[k] = $8; rmax[k] = $9
	has[k] = 1
	seen[$2] = 1
}

function fmt3(x) {
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 10) return sprintf("%.1f", x)
	if (x >= 1) return sprintf("%.2f", x)
	return sprintf("%.3f", x)
}

function pad(s, width) {
	while (length(s) < width)
		s = s " "
	return s
}

# The first line a runtime wrote on stderr in a case, for "n/a" reasons.
function reason(c, r,   f, l) {
	f = out "/err/" c "/" r ".err"
	l = ""
	while ((getline l < f) > 0)
		if (l != "")
			break
	close(f)
	gsub(/"/, "'", l)
	return l
}

# ---- figures ---------------------------------------------------------------------

# med/min/max of a step in unit u (1e6: ns to ms), or "" when missing.
function ok(c, r, s) { return ((c SUBSEP r SUBSEP s) in has) }
function cell_t(c, r, s, u,   k) {
	k = c SUBSEP r SUBSEP s
	if (!(k in has))
		return ((c SUBSEP r) in failed) ? "n/a (failed)" : "-"
	return fmt3(med[k] / u) " [" fmt3(mn[k] / u) "-" fmt3(mx[k] / u) "]"
}
function cell_r(c, r, s,   k) {
	k = c SUBSEP r SUBSEP s
	if (!(k in has))
		return ((c SUBSEP r) in failed) ? "n/a (failed)" : "-"
	return rmed[k] " [" rmin[k] "-" rmax[k] "]"
}
function ratio(a, b) { return (b > 0 && a != "") ? a / b : "" }
function cell_x(v) { return v == "" ? "-" : sprintf("%.2fx", v) }
function mt(c, r, s) { return ok(c, r, s) ? med[c SUBSEP r SUBSEP s] : "" }
function mr(c, r, s) { return ok(c, r, s) ? rmed[c SUBSEP r SUBSEP s] : "" }

function row(label, cells,   i, line) {
	line = pad(label, 26)
	for (i = 1; i <= nrt; i++)
		if (rt[i] in seen)
			line = line pad(cells[rt[i]], COLW - 1) " "
	sub(/ +$/, "", line)
	print line > table
}

function sort_num(a, k,   i, j, t) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}

function gnu_stats(r,   k, a, i) {
	k = ng[r]
	if (!k)
		return 0
	for (i = 1; i <= k; i++)
		a[i] = gv[r, i]
	sort_num(a, k)
	gmed[r] = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	gmin[r] = a[1]
	gmax[r] = a[k]
	return 1
}

# ---- table -------------------------------------------------------------------------

function time_block(c, title, base_c, base_s, base_label,   i, r, cells, s, fl, cr) {
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		cells[r] = cell_t(c, r, c == "csd" ? "total" : "step0", 1e6)
	}
	row(title " (ms)", cells)
	for (i = 1; i <= nrt; i++)
		if (ok(c, rt[i], "step0-cpu")) {
			for (i = 1; i <= nrt; i++)
				cells[rt[i]] = cell_t(c, rt[i], "step0-cpu", 1e6)
			row("  CPU time (ms)", cells)
			break
		}
	if (c == "csd")
		for (s = 1; s <= 4; s++) {
			split("create start wait delete", steps, " ")
			for (i = 1; i <= nrt; i++)
				cells[rt[i]] = cell_t(c, rt[i], steps[s], 1e6)
			row("  " steps[s], cells)
		}
	fl = mt(base_c, "floor", base_s)
	cr = mt(c, "crun", c == "csd" ? "total" : "step0")
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(mt(c, rt[i], c == "csd" ? "total" : "step0"), fl))
	row("  x " base_label, cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(mt(c, rt[i], c == "csd" ? "total" : "step0"), cr))
	row("  x crun", cells)
}

# The start-up cost of the profile: run with it minus run without, in ns,
# of the medians of wall time (s "step0") or of CPU time ("step0-cpu").
function sc_cost(r, s) {
	return ok("seccomp", r, s) && ok("run", r, s) ? med["seccomp", r, s] - med["run", r, s] : ""
}

# ns per call inside the container (bench/sysloop): c is sysfilter (the
# runtime's filter) or sysnone (no filter).
function cell_s(c, r, s) {
	if (ok(c, r, s))
		return cell_t(c, r, s, 1)
	return (("sysloop" SUBSEP r (c == "sysnone" ? ".0" : "")) in failed) ? "n/a (failed)" : "-"
}

function sys_block(s, title,   i, r, cells, cr) {
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = ""
	row(title " (ns per call)", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_s("sysnone", rt[i], s)
	row("  no filter", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_s("sysfilter", rt[i], s)
	row("  Docker seccomp", cells)
	cr = mt("sysfilter", "crun", s)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(mt("sysfilter", rt[i], s), cr))
	row("    x crun", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(best("sysfilter", rt[i], s), best("sysfilter", "crun", s)))
	row("    x crun, best runs", cells)
}

# The fastest run's figure (each run bench/sysloop's fastest round): what
# a call costs when nothing else on the host gets in the way.
function best(c, r, s) { return ok(c, r, s) ? mn[c SUBSEP r SUBSEP s] : "" }

function cost_rows(label, s,   i, r, cells, cr) {
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		cells[r] = sc_cost(r, s) == "" ? "-" : sprintf("%.2f", sc_cost(r, s) / 1e6)
	}
	row(label, cells)
	cr = sc_cost("crun", s)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cr > 0 ? cell_x(ratio(sc_cost(rt[i], s), cr)) : "-"
	row("    x crun's", cells)
}

function seccomp_rows(   i, cells) {
	cost_rows("  minus run /true (ms)", "step0")
	cost_rows("  CPU, minus run /true", "step0-cpu")
	sys_block("getppid", "getppid()")
	sys_block("personality", "personality(-1)")
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = (rt[i] in bpflen) ? bpflen[rt[i]] : "-"
	row("seccomp BPF instructions", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = (rt[i] in bpfg) ? bpfg[rt[i]] : "-"
	row("  run for getppid()", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = (rt[i] in bpfp) ? bpfp[rt[i]] : "-"
	row("  run for personality(-1)", cells)
}

# Instructions run, as a number: "cached" runs none; "" when unknown.
function insns(a, r) { return !(r in a) ? "" : a[r] == "cached" ? 0 : (a[r] ~ /^[0-9]+$/ ? a[r] : "") }

# The filters' lengths ("3+412") summed; "" when unknown.
function lensum(r,   v, a, k, i, t) {
	v = (r in bpflen) ? bpflen[r] : ""
	if (v !~ /^[0-9]+(\+[0-9]+)*$/)
		return ""
	k = split(v, a, "+")
	for (i = 1; i <= k; i++)
		t += a[i]
	return t
}

function target(what, value, limit, unit,   verdict) {
	nt++
	tw[nt] = what; tv[nt] = value; tl[nt] = limit; tu[nt] = unit
	if (value == "" || limit == "")
		verdict = "n/a"
	else if (value + 0 <= limit + 0)
		verdict = "met"
	else if (limit + 0 > 0)
		verdict = sprintf("MISSED by %.0f%%", (value / limit - 1) * 100)
	else
		verdict = "MISSED"
	tverdict[nt] = verdict
	printf "  %-44s %-12s %-10s %s\n", what, value == "" ? "n/a" : (unit == "x" ? sprintf("%.2fx", value) : value " " unit), \
		"<= " (unit == "x" ? sprintf("%.2fx", limit) : limit " " unit), verdict > table
}

END {
	table = out "/table.txt"
	printf "" > table
	print "ocimin bench, " date ", on " where ": " machine > table
	print n " runs per time (after " w " warm-up), commands interleaved, in an order shuffled each round; median [min-max]." > table
	print cgnote > table
	print "" > table
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = rt[i]
	row("", cells)
	time_block("run", "run /true", "run", "step0", "floor")
	time_block("seccomp", "run, Docker seccomp", "seccomp", "step0", "floor")
	seccomp_rows()
	time_block("csd", "create+start+delete", "run", "step0", "floor run")
	time_block("exec", "exec /true", "exec", "step0", "floor exec")
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_r("rss", rt[i], "step0")
	row("peak RSS, exact (KiB)", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(mr("rss", rt[i], "step0"), mr("rss", "floor", "step0")))
	row("  x floor", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = cell_x(ratio(mr("rss", rt[i], "step0"), mr("rss", "crun", "step0")))
	row("  x crun", cells)
	hasg = 0
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (gnu_stats(r)) {
			cells[r] = gmed[r] " [" gmin[r] "-" gmax[r] "]"
			hasg = 1
		} else {
			cells[r] = "-"
		}
	}
	if (hasg)
		row("peak RSS, GNU time (KiB)", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = (rt[i] in sysc) ? sysc[rt[i]] : "-"
	for (i = 1; i <= nrt; i++)
		if (rt[i] in sysc) {
			row("syscalls per run", cells)
			break
		}
	hass = 0
	for (i = 1; i <= nrt; i++)
		if (rt[i] in size)
			hass = 1
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = (rt[i] in size) ? sprintf("%.1f", size[rt[i]] / 1024) : "-"
	if (hass)
		row("binary, stripped (KiB)", cells)
	for (i = 1; i <= nrt; i++)
		cells[rt[i]] = libs[rt[i]] ? sprintf("%d: %.0f", libs[rt[i]], libbytes[rt[i]] / 1024) : "none"
	if (hass)
		row("  shared libs: n, KiB", cells)
	hasm = 0
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		cells[r] = (r in mmok) ? mmok[r] : ((r in mmtried) ? "> 32768" : "-")
		if (r in mmtried)
			hasm = 1
	}
	if (hasm)
		row("smallest memory.max (KiB)", cells)
	print "" > table
	for (i = 1; i <= nrt; i++)
		for (c = 1; c <= 6; c++) {
			split("run seccomp csd exec rss strace", cs, " ")
			if ((cs[c] SUBSEP rt[i]) in failed)
				printf "%s, %s: %s: %s\n", rt[i], cs[c], failed[cs[c], rt[i]], reason(cs[c], rt[i]) > table
		}
	print "" > table
	print "targets (issue 6), ocimin:" > table
	target("run /true <= 1.25x floor", ratio(mt("run", "ocimin", "step0"), mt("run", "floor", "step0")), 1.25, "x")
	target("run /true <= 0.4x crun", ratio(mt("run", "ocimin", "step0"), mt("run", "crun", "step0")), 0.4, "x")
	target("create+start+delete <= 0.4x crun", ratio(mt("csd", "ocimin", "total"), mt("csd", "crun", "total")), 0.4, "x")
	target("run, Docker seccomp <= 1.35x floor", ratio(mt("seccomp", "ocimin", "step0"), mt("seccomp", "floor", "step0")), 1.35, "x")
	target("peak RSS (exact) <= 1.3x floor", ratio(mr("rss", "ocimin", "step0"), mr("rss", "floor", "step0")), 1.3, "x")
	if (hasg)
		target("peak RSS (GNU time) <= 1.3x floor", ratio(gmed["ocimin"], gmed["floor"]), 1.3, "x")
	target("memory.max 512 KiB is enough", ("ocimin" in mmok) ? mmok["ocimin"] : (("ocimin" in mmtried) ? 99999 : ""), 512, "KiB")
	target("binary <= 150 KiB stripped", ("ocimin" in size) ? sprintf("%.1f", size["ocimin"] / 1024) : "", 150, "KiB")
	print "" > table
	print "targets (issue 4), ocimin:" > table
	# CPU time: on a loaded host a wall time mostly measures the wait
	# for a CPU, and the difference of two such medians is that noise
	target("seccomp start-up CPU <= 0.1x crun's", sc_cost("crun", "step0-cpu") > 0 ? \
		sc_cost("ocimin", "step0-cpu") / sc_cost("crun", "step0-cpu") : "", 0.1, "x")
	# the best runs: a median of runs on a loaded host is the load's; and
	# a call cached under both filters costs the same: 5% is the noise
	target("getppid(), seccomp, best <= crun's +5%", ratio(best("sysfilter", "ocimin", "getppid"), best("sysfilter", "crun", "getppid")), 1.05, "x")
	target("personality(-1), seccomp, best <= crun's +5%", ratio(best("sysfilter", "ocimin", "personality"), best("sysfilter", "crun", "personality")), 1.05, "x")
	target("BPF run for getppid() <= crun's", insns(bpfg, "ocimin"), insns(bpfg, "crun"), "insns")
	target("BPF run for personality(-1) <= crun's", insns(bpfp, "ocimin"), insns(bpfp, "crun"), "insns")
	target("BPF instructions <= crun's", lensum("ocimin"), lensum("crun"), "insns")
	close(table)
	json()
	chart()
}

# ---- JSON ---------------------------------------------------------------------------

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	return "\"" s "\""
}

function jtime(c, r, s, u,   k) {
	k = c SUBSEP r SUBSEP s
	if (!(k in has))
		return ((c SUBSEP r) in failed) ? "{ \"error\": " jstr(failed[c, r] ": " reason(c, r)) " }" : "null"
	return sprintf("{ \"median\": %.3f, \"min\": %.3f, \"max\": %.3f }", med[k] / u, mn[k] / u, mx[k] / u)
}

function jcase(name, c, steps,   i, r, sep, s, ns, st) {
	printf "    %s: { \"unit\": \"ms\",", jstr(name) > js
	sep = ""
	ns = split(steps, st, " ")
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (!(r in seen))
			continue
		if (ns == 1) {
			printf "%s\n      %s: %s", sep == "" ? "" : ",", jstr(r), jtime(c, r, st[1], 1e6) > js
		} else {
			printf "%s\n      %s: {", sep == "" ? "" : ",", jstr(r) > js
			for (s = 1; s <= ns; s++)
				printf "%s %s: %s", (s > 1 ? "," : ""), jstr(st[s]), jtime(c, r, st[s], 1e6) > js
			printf " }" > js
		}
		sep = ","
	}
	printf " },\n" > js
}

function json(   i, r, sep, t) {
	js = out "/results.json"
	printf "{\n  \"date\": %s,\n  \"where\": %s,\n  \"machine\": %s,\n", jstr(date), jstr(where), jstr(machine) > js
	printf "  \"runs\": %d, \"warmup\": %d, \"rss_runs\": %d,\n  \"cgroups\": %s,\n", n, w, nrss, jstr(cgnote) > js
	printf "  \"results\": {\n" > js
	jcase("run", "run", "step0")
	jcase("run_seccomp", "seccomp", "step0")
	jcase("run_cpu", "run", "step0-cpu")
	jcase("run_seccomp_cpu", "seccomp", "step0-cpu")
	jcase("create_start_delete", "csd", "create start wait delete total")
	jcase("exec", "exec", "step0")
	printf "    \"peak_rss_kib\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (!(r in seen))
			continue
		printf "%s\n      %s: ", sep, jstr(r) > js
		if (ok("rss", r, "step0"))
			printf "{ \"median\": %d, \"min\": %d, \"max\": %d%s }", rmed["rss", r, "step0"], \
				rmin["rss", r, "step0"], rmax["rss", r, "step0"], \
				(r in gmed) ? sprintf(", \"gnu_time\": { \"median\": %d, \"min\": %d, \"max\": %d }", gmed[r], gmin[r], gmax[r]) : "" > js
		else
			printf "null" > js
		sep = ","
	}
	printf " },\n    \"syscalls_per_run\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++)
		if (rt[i] in sysc) {
			printf "%s %s: %d", sep, jstr(rt[i]), sysc[rt[i]] > js
			sep = ","
		}
	printf " },\n    \"binary\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++)
		if (rt[i] in size) {
			printf "%s\n      %s: { \"stripped_bytes\": %d, \"shared_libs\": %d, \"shared_libs_bytes\": %d }", \
				sep, jstr(rt[i]), size[rt[i]], libs[rt[i]], libbytes[rt[i]] > js
			sep = ","
		}
	printf " },\n    \"smallest_memory_max_kib\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++)
		if (rt[i] in mmtried) {
			printf "%s %s: { \"smallest\": %s, \"tried\": %s }", sep, jstr(rt[i]), \
				(rt[i] in mmok) ? mmok[rt[i]] : "null", jstr(mmtried[rt[i]]) > js
			sep = ","
		}
	printf " },\n" > js
	jseccomp()
	printf "\n  },\n  \"targets\": [" > js
	for (t = 1; t <= nt; t++)
		printf "%s\n    { \"what\": %s, \"value\": %s, \"limit\": %s, \"unit\": %s, \"verdict\": %s }", \
			(t > 1 ? "," : ""), jstr(tw[t]), tv[t] == "" ? "null" : sprintf("%.4g", tv[t]), tl[t] == "" ? "null" : tl[t], \
			jstr(tu[t]), jstr(tverdict[t]) > js
	printf "\n  ]\n}\n" > js
	close(js)
}

# "cached", a count, or "?" as JSON: a string, a number, null.
function jinsns(v) { return v == "cached" ? jstr(v) : (v ~ /^[0-9]+$/ ? v : "null") }

# Issue 4's figures: the profile's start-up cost, ns per call inside the
# container, the filters read back from the kernel.
function jseccomp(   i, r, sep, s, c, k) {
	printf "    \"seccomp_startup_cost_ms\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++)
		if (sc_cost(rt[i], "step0") != "") {
			printf "%s\n      %s: { \"wall\": %.3f, \"cpu\": %s }", sep, jstr(rt[i]), sc_cost(rt[i], "step0") / 1e6, \
				sc_cost(rt[i], "step0-cpu") == "" ? "null" : sprintf("%.3f", sc_cost(rt[i], "step0-cpu") / 1e6) > js
			sep = ","
		}
	printf " },\n    \"per_syscall_ns\": {" > js
	for (s = 1; s <= 2; s++) {
		printf "%s\n      %s: {", (s > 1 ? "," : ""), jstr(s == 1 ? "getppid" : "personality(0xffffffff)") > js
		for (c = 1; c <= 2; c++) {
			printf "%s\n        %s: {", (c > 1 ? "," : ""), jstr(c == 1 ? "no_filter" : "docker_seccomp") > js
			sep = ""
			for (i = 1; i <= nrt; i++) {
				r = rt[i]
				k = (c == 1 ? "sysnone" : "sysfilter") SUBSEP r SUBSEP (s == 1 ? "getppid" : "personality")
				if (!(k in has))
					continue
				printf "%s %s: { \"median\": %.1f, \"min\": %.1f, \"max\": %.1f }", sep, jstr(r), \
					med[k], mn[k], mx[k] > js
				sep = ","
			}
			printf " }" > js
		}
		printf " }" > js
	}
	printf " },\n    \"seccomp_bpf\": {" > js
	sep = ""
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (!(r in bpflen))
			continue
		printf "%s\n      %s: { \"instructions\": %s, \"run_for_getppid\": %s, \"run_for_personality\": %s }", \
			sep, jstr(r), jstr(bpflen[r]), jinsns(bpfg[r]), jinsns(bpfp[r]) > js
		sep = ","
	}
	printf " }" > js
}

# ---- SVG: each runtime's median over the floor's, log scale, min-max whiskers --------

function xml(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	return s
}

# log2, without log(): busybox's awk may be built without math.
function lg(x,   k, z, z2, t, sum, i) {
	k = 0
	while (x >= 2) { x /= 2; k++ }
	while (x < 1) { x *= 2; k-- }
	z = (x - 1) / (x + 1)
	z2 = z * z
	t = z
	sum = 0
	for (i = 1; i < 40; i += 2) {
		sum += t / i
		t *= z2
	}
	return k + 2 * sum / 0.6931471805599453
}

function xpos(v) {
	if (v < lo) v = lo
	if (v > hi) v = hi
	return left + (lg(v) - lg(lo)) / (lg(hi) - lg(lo)) * plotw
}

function group(title, c, s, fc, fs, tgt, tgt_label, rss,   i, r, v, a, b, base, y0, k, color) {
	base = rss ? mr(fc, "floor", fs) : mt(fc, "floor", fs)
	y0 = y
	printf "<text x=\"%d\" y=\"%d\"><tspan class=\"g\">%s</tspan>%s</text>\n", 10, y + 12, title, \
		tgt == "" ? "" : "<tspan class=\"tl\" dx=\"8\">- - " tgt_label "</tspan>" > svg
	y += 18
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (!(r in seen))
			continue
		k = c SUBSEP r SUBSEP s
		if (r == "floor" && !(k in has))
			k = fc SUBSEP r SUBSEP fs     # the floor's figure the group is measured against
		color = col[r]
		printf "<text x=\"%d\" y=\"%d\" class=\"l\">%s</text>\n", left - 6, y + 10, r > svg
		if (!(k in has) || base == "") {
			printf "<text x=\"%d\" y=\"%d\" class=\"n\">%s</text>\n", left + 4, y + 10, \
				((c SUBSEP r) in failed) ? "n/a: failed" : "n/a" > svg
			y += 16
			continue
		}
		v = (rss ? rmed[k] : med[k]) / base
		a = (rss ? rmin[k] : mn[k]) / base
		b = (rss ? rmax[k] : mx[k]) / base
		printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>\n", left, y, xpos(v) - left, color > svg
		printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"w\"/>\n", xpos(a), xpos(b), y + 6, y + 6 > svg
		printf "<text x=\"%.1f\" y=\"%d\" class=\"v\">%.2fx</text>\n", xpos(b > v ? b : v) + 4, y + 10, v > svg
		y += 16
	}
	if (tgt != "")
		printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"t\"/>\n", xpos(tgt), xpos(tgt), y0 + 16, y > svg
	y += 10
}

# ns per call under each runtime's filter over the same runtime's without.
function sys_group(title, s,   i, r, base, k) {
	printf "<text x=\"%d\" y=\"%d\"><tspan class=\"g\">%s</tspan></text>\n", 10, y + 12, title > svg
	y += 18
	for (i = 1; i <= nrt; i++) {
		r = rt[i]
		if (r == "floor" || !(r in seen))
			continue
		k = "sysfilter" SUBSEP r SUBSEP s
		base = mt("sysnone", r, s)
		printf "<text x=\"%d\" y=\"%d\" class=\"l\">%s</text>\n", left - 6, y + 10, r > svg
		if (!(k in has) || base == "" || base <= 0) {
			printf "<text x=\"%d\" y=\"%d\" class=\"n\">n/a</text>\n", left + 4, y + 10 > svg
			y += 16
			continue
		}
		printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>\n", left, y, xpos(med[k] / base) - left, col[r] > svg
		printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"w\"/>\n", xpos(mn[k] / base), xpos(mx[k] / base), y + 6, y + 6 > svg
		printf "<text x=\"%.1f\" y=\"%d\" class=\"v\">%.2fx</text>\n", xpos(mx[k] > med[k] ? mx[k] / base : med[k] / base) + 4, y + 10, med[k] / base > svg
		y += 16
	}
	y += 10
}

function chart(   i, h, tick, cr, fl, k, p, v, d) {
	svg = out "/chart.svg"
	col["floor"] = "#9e9e9e"; col["ocimin"] = "#2e7d32"; col["crun"] = "#ef6c00"; col["runc"] = "#1565c0"
	lo = 0.5
	hi = 8
	for (k in has) {
		split(k, p, SUBSEP)
		if (p[1] !~ /^(run|seccomp|csd|exec|rss)$/)
			continue
		if (p[1] == "rss") {
			d = mr("rss", "floor", "step0")
			v = rmax[k]
		} else {
			d = mt(p[1] == "csd" ? "run" : p[1], "floor", "step0")
			v = mx[k]
		}
		if (d == "" || d <= 0)
			continue
		while (v / d > hi && hi < 1024)
			hi *= 2
	}
	left = 70; plotw = 560
	h = 64 + 5 * 90 + 2 * 80
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", h > svg
	print "<style>.g{font-weight:bold;font-size:12px}.l{text-anchor:end}.v{fill:#333}.n{fill:#b00}" \
		".w{stroke:#000;stroke-width:1}.t{stroke:#c62828;stroke-width:1.5;stroke-dasharray:3,2}" \
		".tl{fill:#c62828;font-size:10px}.a{stroke:#ccc}.h{font-size:13px;font-weight:bold}</style>" > svg
	printf "<rect width=\"760\" height=\"%d\" fill=\"#fff\"/>\n", h > svg
	printf "<text x=\"10\" y=\"18\" class=\"h\">ocimin vs the floor program, crun and runc: median / floor's median (log scale), whiskers min-max</text>\n" > svg
	printf "<text x=\"10\" y=\"34\">%s, %s: %s; %d runs each, interleaved</text>\n", xml(date), xml(where), xml(machine), n > svg
	y = 48
	# axis
	for (tick = lo; tick <= hi; tick *= 2) {
		printf "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"a\"/>\n", xpos(tick), xpos(tick), y, h - 20 > svg
		printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%sx</text>\n", xpos(tick), h - 6, tick > svg
	}
	fl = mt("run", "floor", "step0")
	cr = mt("run", "crun", "step0")
	group("run /true", "run", "step0", "run", "step0", 1.25, "target: ocimin &#8804; 1.25x", 0)
	group("run, Docker seccomp profile", "seccomp", "step0", "seccomp", "step0", 1.35, "target: ocimin &#8804; 1.35x", 0)
	cr = mt("csd", "crun", "total")
	group("create + start + delete, x floor run", "csd", "total", "run", "step0", \
		cr != "" && fl != "" ? 0.4 * cr / fl : "", "target: ocimin &#8804; 0.4x crun", 0)
	group("exec /true, x floor exec", "exec", "step0", "exec", "step0", "", "", 0)
	group("peak RSS, exact", "rss", "step0", "rss", "step0", 1.3, "target: ocimin &#8804; 1.3x", 1)
	sys_group("getppid() in the container, Docker seccomp, x no filter", "getppid")
	sys_group("personality(-1) in the container, Docker seccomp, x no filter", "personality")
	print "</svg>" > svg
	close(svg)
}
