/* t/unit-json.c - unit tests of json.c, printing TAP. Built by
 * `make t/unit-json` from this file and json.c alone, so the error
 * functions of ocimin.c are stood in for (t/unit.h), keeping the last
 * message for the tests to compare. Test files go to a fresh directory under
 * $TMPDIR (or /tmp), removed at the end. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include "../ocimin.h"
#include "unit.h"

/* ---- files ---------------------------------------------------------- */

static char dir[256], cfg_path[300], other_path[300];
static struct spec S;

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static int load_len(const char *text, size_t len)
{
	write_file(cfg_path, text, len);
	last[0] = '\0';
	return spec_load(cfg_path, dir, &S);
}

static int load(const char *text)
{
	return load_len(text, strlen(text));
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	va_end(ap);
	return s;
}

/* A small valid config, with text spliced into process, linux and the
 * top object (each starting with a comma when not empty). */
static char *cfg(const char *process, const char *linux_, const char *top)
{
	return xasprintf("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
			 " \"process\": {\"args\": [\"sh\"]%s},"
			 " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}]%s}%s}",
			 process, linux_, top);
}

static bool is_error(int r, const char *file, const char *want)
{
	char full[4096];

	snprintf(full, sizeof(full), "%s: %s", file, want);
	if (r == -1 && !strcmp(last, full))
		return true;
	printf("#\twant: %s\n#\tgot:  %s (returned %d)\n", full, r == -1 ? last : "", r);
	return false;
}

/* The config must fail with exactly "<path>: want". */
static void bad(const char *text, const char *want)
{
	int r = load(text);

	ok(is_error(r, cfg_path, want), "rejected: %s", want);
}

static void good(const char *text, const char *what)
{
	ok(load(text) == 0, "accepted: %s", what);
}

/* ---- valid configs -------------------------------------------------- */

static bool has_str(char **v, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(v[k], s))
			return true;
	return false;
}

static void test_template(void)
{
	FILE *f = fopen(cfg_path, "w");
	char root[400];
	uint64_t def = 1ull << CAP_AUDIT_WRITE | 1ull << CAP_KILL | 1ull << CAP_NET_BIND_SERVICE;

	json_spec_template(f, false);
	fclose(f);
	ok(spec_load(cfg_path, dir, &S) == 0, "the spec template loads");
	snprintf(root, sizeof(root), "%s/rootfs", dir);
	ok(!strcmp(S.oci_version, OCI_SPEC_VERSION), "template: ociVersion");
	ok(!strcmp(S.root_path, root) && S.root_readonly, "template: root.path made absolute, readonly");
	ok(S.has_process && S.process.terminal && S.process.n_args == 1 &&
	   !strcmp(S.process.args[0], "sh") && !S.process.args[1], "template: process.args");
	ok(S.process.n_env == 2 && !strcmp(S.process.env[1], "TERM=xterm") && !S.process.env[2],
	   "template: process.env");
	ok(!strcmp(S.process.cwd, "/") && S.process.no_new_privileges, "template: cwd, noNewPrivileges");
	ok(S.process.has_caps && S.process.caps[CAPSET_BOUNDING] == def &&
	   S.process.caps[CAPSET_EFFECTIVE] == def && S.process.caps[CAPSET_PERMITTED] == def &&
	   S.process.caps[CAPSET_INHERITABLE] == 0 && S.process.caps[CAPSET_AMBIENT] == 0,
	   "template: capabilities");
	ok(S.process.n_rlimits == 1 && S.process.rlimits[0].resource == RLIMIT_NOFILE &&
	   S.process.rlimits[0].soft == 1024 && S.process.rlimits[0].hard == 1024,
	   "template: rlimits");
	ok(!strcmp(S.hostname, "ocimin"), "template: hostname");
	ok(S.n_mounts == 7 && !strcmp(S.mounts[0].destination, "/proc") &&
	   !strcmp(S.mounts[0].type, "proc") && !S.mounts[0].data && !S.mounts[0].flags,
	   "template: /proc mount");
	ok(S.mounts[1].flags == (MS_NOSUID | MS_STRICTATIME) &&
	   !strcmp(S.mounts[1].data, "mode=755,size=65536k"), "template: /dev flags and data");
	ok(!strcmp(S.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
	   "template: /dev/pts data");
	ok(S.mounts[6].flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY),
	   "template: /sys/fs/cgroup flags");
	ok(S.n_namespaces == 6 && S.namespaces[0].type == CLONE_NEWPID &&
	   S.namespaces[5].type == CLONE_NEWCGROUP && !S.namespaces[0].path,
	   "template: namespaces");
	ok(S.resources.present && S.resources.n_devices == 1 && !S.resources.devices[0].allow &&
	   S.resources.devices[0].type == 'a' && S.resources.devices[0].major == -1 &&
	   S.resources.devices[0].minor == -1 && !strcmp(S.resources.devices[0].access, "rwm"),
	   "template: resources.devices");
	ok(S.resources.mem_limit == OPT_UNSET && S.resources.pids_limit == OPT_UNSET,
	   "template: unset resources are OPT_UNSET");
	ok(S.n_masked_paths == 11 && has_str(S.masked_paths, S.n_masked_paths, "/proc/kcore") &&
	   S.n_readonly_paths == 5 && has_str(S.readonly_paths, S.n_readonly_paths, "/proc/sys"),
	   "template: maskedPaths, readonlyPaths");
}

static void test_rootless_template(void)
{
	FILE *f = fopen(cfg_path, "w");
	bool user = false, net = false;

	json_spec_template(f, true);
	fclose(f);
	ok(spec_load(cfg_path, dir, &S) == 0, "the rootless spec template loads");
	for (size_t k = 0; k < S.n_namespaces; k++) {
		user |= S.namespaces[k].type == CLONE_NEWUSER;
		net |= S.namespaces[k].type == CLONE_NEWNET;
	}
	ok(user && !net, "rootless: a user namespace and no network namespace");
	ok(S.n_uid_mappings == 1 && S.uid_mappings[0].host_id == geteuid() &&
	   S.uid_mappings[0].container_id == 0 && S.uid_mappings[0].size == 1 &&
	   S.n_gid_mappings == 1 && S.gid_mappings[0].host_id == getegid(),
	   "rootless: id mappings of the current user");
	ok(!S.resources.present, "rootless: no resources");
	ok(!strcmp(S.mounts[5].destination, "/sys") && S.mounts[5].bind &&
	   (S.mounts[5].flags & (MS_BIND | MS_REC | MS_RDONLY)) == (MS_BIND | MS_REC | MS_RDONLY),
	   "rootless: /sys is a read-only rbind");
	ok(!strcmp(S.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620"),
	   "rootless: no gid= option");
}

static const char full_config[] =
	"{\n"
	"\"ociVersion\": \"1.3.0\",\n"
	"\"root\": {\"path\": \"/var/lib/rootfs\", \"readonly\": false},\n"
	"\"mounts\": [\n"
	" {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\",\n"
	"  \"options\": [\"rbind\", \"rprivate\", \"ro\", \"nosuid\", \"rnodev\", \"rro\",\n"
	"              \"rnoatime\", \"ridmap\", \"mode=755\", \"size=65536k\", \"rw\", \"ro\"]},\n"
	" {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": [\"tmpcopyup\", \"shared\"],\n"
	"  \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
	"  \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}\n"
	"],\n"
	"\"process\": {\n"
	" \"terminal\": true, \"consoleSize\": {\"height\": 25, \"width\": 80},\n"
	" \"user\": {\"uid\": 1000, \"gid\": 1001, \"umask\": 18, \"additionalGids\": [5, 6, 4294967295],\n"
	"          \"username\": \"ignored\"},\n"
	" \"args\": [\"/bin/app\", \"--flag\"], \"env\": [\"A=1\"], \"cwd\": \"/work\",\n"
	" \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_CHECKPOINT_RESTORE\"],\n"
	"   \"effective\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_SYS_ADMIN\"],\n"
	"   \"permitted\": [\"CAP_BPF\"], \"ambient\": [\"CAP_NET_RAW\"]},\n"
	" \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": 18446744073709551615},\n"
	"             {\"type\": \"RLIMIT_NPROC\", \"soft\": 10, \"hard\": 20}],\n"
	" \"noNewPrivileges\": true, \"apparmorProfile\": \"\", \"oomScoreAdj\": -1000,\n"
	" \"selinuxLabel\": \"system_u:system_r:container_t:s0\",\n"
	" \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 7},\n"
	" \"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"nice\": -20, \"priority\": 0,\n"
	"   \"flags\": [\"SCHED_FLAG_RESET_ON_FORK\", \"SCHED_FLAG_DL_OVERRUN\"],\n"
	"   \"runtime\": 100, \"deadline\": 200, \"period\": 300},\n"
	" \"execCPUAffinity\": {\"initial\": \"0-1\", \"final\": \"2\"},\n"
	" \"commandLine\": \"ignored on linux\"\n"
	"},\n"
	"\"hostname\": \"h\\u00e9\", \"domainname\": \"example.org\",\n"
	"\"hooks\": {\n"
	" \"prestart\": [{\"path\": \"/bin/pre\"}],\n"
	" \"createRuntime\": [{\"path\": \"/bin/cr\", \"args\": [\"cr\", \"x\"], \"env\": [\"E=1\"], \"timeout\": 5}],\n"
	" \"createContainer\": [], \"startContainer\": [{\"path\": \"/bin/sc\"}],\n"
	" \"poststart\": [{\"path\": \"/bin/ps\"}], \"poststop\": [{\"path\": \"/bin/pst\"}, {\"path\": \"/bin/pst2\"}]\n"
	"},\n"
	"\"annotations\": {\"a\": \"1\", \"b\": \"\"},\n"
	"\"linux\": {\n"
	" \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": \"/run/netns/x\"},\n"
	"   {\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"user\"},\n"
	"   {\"type\": \"cgroup\"}, {\"type\": \"time\"}],\n"
	" \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 32000}],\n"
	" \"gidMappings\": [{\"containerID\": 0, \"hostID\": 2000, \"size\": 1}, {\"containerID\": 1, \"hostID\": 3000, \"size\": 2}],\n"
	" \"timeOffsets\": {\"monotonic\": {\"secs\": -86400, \"nanosecs\": 5}, \"boottime\": {\"secs\": 7}},\n"
	" \"devices\": [{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,\n"
	"   \"fileMode\": 8630, \"uid\": 0, \"gid\": 5}, {\"path\": \"/dev/p\", \"type\": \"p\"}],\n"
	" \"cgroupsPath\": \"/my/cg\",\n"
	" \"resources\": {\n"
	"  \"devices\": [{\"allow\": false, \"access\": \"rwm\"},\n"
	"    {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, \"access\": \"rw\"},\n"
	"    {\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"r\"}],\n"
	"  \"memory\": {\"limit\": 536870912, \"reservation\": 1, \"swap\": -1, \"kernel\": -1,\n"
	"    \"kernelTCP\": 0, \"swappiness\": 60, \"disableOOMKiller\": true, \"useHierarchy\": true,\n"
	"    \"checkBeforeUpdate\": true},\n"
	"  \"cpu\": {\"shares\": 1024, \"quota\": 100000, \"burst\": 1000, \"period\": 500000,\n"
	"    \"realtimeRuntime\": 950000, \"realtimePeriod\": 1000000, \"cpus\": \"2-3\", \"mems\": \"0-7\", \"idle\": 1},\n"
	"  \"pids\": {\"limit\": 32771},\n"
	"  \"blockIO\": {\"weight\": 10, \"leafWeight\": 20,\n"
	"    \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 500, \"leafWeight\": 300},\n"
	"                     {\"major\": 8, \"minor\": 16, \"weight\": 500}],\n"
	"    \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 600}],\n"
	"    \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 1, \"rate\": 601}],\n"
	"    \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 2, \"rate\": 602}],\n"
	"    \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 300}]},\n"
	"  \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 9223372036854772000}],\n"
	"  \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 500}]},\n"
	"  \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}, \"rxe3\": {\"hcaObjects\": 7}},\n"
	"  \"unified\": {\"io.max\": \"259:0 rbps=2097152\", \"memory.high\": \"max\"}\n"
	" },\n"
	" \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},\n"
	" \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
	"   \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\"],\n"
	"   \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
	"   \"listenerPath\": \"/run/seccomp.sock\", \"listenerMetadata\": \"meta\",\n"
	"   \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
	"     {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,\n"
	"      \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"},\n"
	"               {\"index\": 5, \"value\": 18446744073709551615, \"valueTwo\": 3, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
	"     {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]},\n"
	" \"rootfsPropagation\": \"rslave\",\n"
	" \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\", \"/proc/bus\"],\n"
	" \"mountLabel\": \"system_u:object_r:container_file_t:s0\",\n"
	" \"personality\": {\"domain\": \"LINUX32\", \"flags\": []},\n"
	" \"intelRdt\": {\"closID\": \"x\"}, \"memoryPolicy\": {\"mode\": \"MPOL_BIND\"}, \"netDevices\": {},\n"
	" \"unknownLinuxThing\": [1, {\"deep\": [true, null]}]\n"
	"},\n"
	"\"windows\": {\"ignored\": true}, \"vm\": null\n"
	"}\n";

static void test_full_mounts(void)
{
	const struct mnt *m = &S.mounts[0], *t = &S.mounts[1];

	ok(S.n_mounts == 2 && !strcmp(m->destination, "/data") && !strcmp(m->source, "/srv/data") &&
	   m->bind, "full: bind mount");
	ok(m->flags == (MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID) && m->clear == 0,
	   "full: mount flags, last of rw/ro wins");
	ok(m->propagation == (MS_PRIVATE | MS_REC), "full: mount propagation");
	ok(m->recursive_attr && m->attr_set == (0x4 | 0x1 | 0x10) && (m->attr_clr & 0x70) == 0x70,
	   "full: recursive attributes");
	ok(m->idmap && m->idmap_recursive, "full: ridmap");
	ok(!strcmp(m->data, "mode=755,size=65536k"), "full: fs options in data");
	ok(t->tmpcopyup && t->propagation == MS_SHARED && !t->bind && !t->data && !t->source,
	   "full: tmpcopyup, shared");
	ok(t->idmap && !t->idmap_recursive && t->n_uid_mappings == 1 &&
	   t->uid_mappings[0].host_id == 100000 && t->uid_mappings[0].size == 65536 &&
	   t->n_gid_mappings == 1, "full: mount id mappings");
}

static void test_full_process(void)
{
	const struct process *p = &S.process;

	ok(S.has_process && p->terminal && p->has_console_size && p->console_height == 25 &&
	   p->console_width == 80, "full: terminal, consoleSize");
	ok(p->uid == 1000 && p->gid == 1001 && p->has_umask && p->umask == 18 &&
	   p->n_additional_gids == 3 && p->additional_gids[2] == 4294967295u, "full: user");
	ok(p->n_args == 2 && !strcmp(p->args[1], "--flag") && !p->args[2] && p->n_env == 1 &&
	   !strcmp(p->cwd, "/work"), "full: args, env, cwd");
	ok(p->has_caps && p->caps[CAPSET_BOUNDING] == (1ull << CAP_CHOWN | 1ull << 40) &&
	   p->caps[CAPSET_EFFECTIVE] == 1ull << CAP_KILL &&
	   p->caps[CAPSET_INHERITABLE] == 1ull << CAP_SYS_ADMIN &&
	   p->caps[CAPSET_PERMITTED] == 1ull << CAP_BPF &&
	   p->caps[CAPSET_AMBIENT] == 1ull << CAP_NET_RAW, "full: capabilities");
	ok(p->n_rlimits == 2 && p->rlimits[0].resource == RLIMIT_CORE &&
	   p->rlimits[0].hard == UINT64_MAX && p->rlimits[1].resource == RLIMIT_NPROC &&
	   p->rlimits[1].soft == 10, "full: rlimits");
	ok(p->no_new_privileges && !p->apparmor_profile && p->has_oom_score_adj &&
	   p->oom_score_adj == -1000 && !strcmp(p->selinux_label, "system_u:system_r:container_t:s0"),
	   "full: noNewPrivileges, apparmorProfile \"\" is none, oomScoreAdj, selinuxLabel");
	ok(p->has_io_priority && p->io_class == 2 && p->io_priority == 7, "full: ioPriority");
	ok(p->has_scheduler && p->sched_policy == SCHED_DEADLINE && p->sched_nice == -20 &&
	   p->sched_flags == 0x5 && p->sched_runtime == 100 && p->sched_deadline == 200 &&
	   p->sched_period == 300, "full: scheduler");
	ok(!strcmp(p->exec_cpu_initial, "0-1") && !strcmp(p->exec_cpu_final, "2"),
	   "full: execCPUAffinity");
}

static void test_full_top(void)
{
	ok(!strcmp(S.root_path, "/var/lib/rootfs") && !S.root_readonly, "full: absolute root.path kept");
	ok(!strcmp(S.hostname, "h\xc3\xa9") && !strcmp(S.domainname, "example.org"),
	   "full: hostname with \\u escape, domainname");
	ok(S.n_hooks[HOOK_PRESTART] == 1 && !strcmp(S.hooks[HOOK_PRESTART][0].path, "/bin/pre") &&
	   !S.hooks[HOOK_PRESTART][0].args[0] && S.hooks[HOOK_PRESTART][0].timeout == 0,
	   "full: prestart hook");
	ok(S.n_hooks[HOOK_CREATE_RUNTIME] == 1 && S.hooks[HOOK_CREATE_RUNTIME][0].timeout == 5 &&
	   !strcmp(S.hooks[HOOK_CREATE_RUNTIME][0].args[1], "x") &&
	   !S.hooks[HOOK_CREATE_RUNTIME][0].args[2] &&
	   !strcmp(S.hooks[HOOK_CREATE_RUNTIME][0].env[0], "E=1"), "full: hook args, env, timeout");
	ok(S.n_hooks[HOOK_CREATE_CONTAINER] == 0 && S.n_hooks[HOOK_START_CONTAINER] == 1 &&
	   S.n_hooks[HOOK_POSTSTART] == 1 && S.n_hooks[HOOK_POSTSTOP] == 2 &&
	   !strcmp(S.hooks[HOOK_POSTSTOP][1].path, "/bin/pst2"), "full: all hook kinds");
	ok(S.n_annotations == 2 && !strcmp(S.annotations[0].key, "a") &&
	   !strcmp(S.annotations[0].value, "1") && !strcmp(S.annotations[1].value, ""),
	   "full: annotations");
}

static void test_full_linux(void)
{
	ok(S.n_namespaces == 8 && S.namespaces[1].type == CLONE_NEWNET &&
	   !strcmp(S.namespaces[1].path, "/run/netns/x") && S.namespaces[7].type == CLONE_NEWTIME,
	   "full: namespaces");
	ok(S.n_uid_mappings == 1 && S.uid_mappings[0].size == 32000 && S.n_gid_mappings == 2 &&
	   S.gid_mappings[1].host_id == 3000, "full: uid/gid mappings");
	ok(S.has_time_offsets && S.time_monotonic.secs == -86400 && S.time_monotonic.nanosecs == 5 &&
	   S.time_boottime.secs == 7, "full: timeOffsets");
	ok(S.n_devices == 2 && S.devices[0].type == 'c' && S.devices[0].major == 10 &&
	   S.devices[0].minor == 229 && S.devices[0].has_mode && S.devices[0].mode == 0666 &&
	   S.devices[0].has_uid && S.devices[0].gid == 5 && S.devices[1].type == 'p' &&
	   !S.devices[1].has_mode, "full: devices, fileMode keeps permission bits");
	ok(!strcmp(S.cgroups_path, "/my/cg"), "full: cgroupsPath");
	ok(S.n_sysctl == 1 && !strcmp(S.sysctl[0].key, "net.ipv4.ip_forward"), "full: sysctl");
	ok(S.rootfs_propagation == (MS_SLAVE | MS_REC), "full: rootfsPropagation");
	ok(S.n_masked_paths == 1 && S.n_readonly_paths == 2 && !strcmp(S.readonly_paths[1], "/proc/bus"),
	   "full: maskedPaths, readonlyPaths");
	ok(!strcmp(S.mount_label, "system_u:object_r:container_file_t:s0"), "full: mountLabel");
	ok(S.has_personality && S.personality == 8, "full: personality LINUX32");
	ok(S.has_intel_rdt && S.has_memory_policy && S.has_net_devices,
	   "full: intelRdt, memoryPolicy, netDevices seen");
}

static void test_full_resources(void)
{
	const struct resources *r = &S.resources;

	ok(r->present && r->n_devices == 3 && !r->devices[0].allow && r->devices[0].type == 'a' &&
	   r->devices[1].type == 'c' && r->devices[1].minor == 229 &&
	   !strcmp(r->devices[1].access, "rw") && r->devices[2].type == 'b' &&
	   r->devices[2].minor == -1, "full: device rules, absent minor is -1");
	ok(r->mem_limit == 536870912 && r->mem_reservation == 1 && r->mem_swap == -1 &&
	   r->mem_kernel == -1 && r->mem_kernel_tcp == 0 && r->mem_swappiness == 60 &&
	   r->mem_disable_oom_killer && r->mem_use_hierarchy && r->mem_check_before_update,
	   "full: memory");
	ok(r->cpu_shares == 1024 && r->cpu_quota == 100000 && r->cpu_burst == 1000 &&
	   r->cpu_period == 500000 && r->cpu_realtime_runtime == 950000 &&
	   r->cpu_realtime_period == 1000000 && !strcmp(r->cpu_cpus, "2-3") &&
	   !strcmp(r->cpu_mems, "0-7") && r->cpu_idle == 1, "full: cpu");
	ok(r->pids_limit == 32771, "full: pids");
	ok(r->blkio_weight == 10 && r->blkio_leaf_weight == 20 && r->n_blkio_weight_device == 2 &&
	   r->blkio_weight_device[0].leaf_weight == 300 && r->blkio_weight_device[1].leaf_weight == -1,
	   "full: blockIO weights");
	ok(r->n_blkio_throttle[0] == 1 && r->blkio_throttle[0][0].rate == 600 &&
	   r->blkio_throttle[1][0].rate == 601 && r->blkio_throttle[2][0].rate == 602 &&
	   r->blkio_throttle[3][0].minor == 16, "full: blockIO throttles");
	ok(r->n_hugepages == 1 && !strcmp(r->hugepages[0].page_size, "2MB") &&
	   r->hugepages[0].limit == 9223372036854772000ull, "full: hugepageLimits");
	ok(r->net_class_id == 1048577 && r->n_net_priorities == 1 &&
	   r->net_priorities[0].priority == 500, "full: network");
	ok(r->n_rdma == 2 && !strcmp(r->rdma[0].device, "mlx5_1") && r->rdma[0].hca_handles == 3 &&
	   r->rdma[1].hca_handles == OPT_UNSET && r->rdma[1].hca_objects == 7, "full: rdma");
	ok(r->n_unified == 2 && !strcmp(r->unified[1].value, "max"), "full: unified");
}

static void test_full_seccomp(void)
{
	const struct seccomp *sc = &S.seccomp;

	ok(sc->present && sc->default_action == SECCOMP_RET_ERRNO && sc->has_default_errno &&
	   sc->default_errno == 38, "full: seccomp default");
	ok(sc->n_arches == 4 && sc->arches[0] == AUDIT_ARCH_X86_64 && sc->arches[1] == AUDIT_ARCH_I386 &&
	   sc->arches[2] == OCI_ARCH_X32 && sc->arches[3] == AUDIT_ARCH_AARCH64, "full: seccomp arches");
	ok(sc->flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
	   "full: seccomp flags");
	ok(!strcmp(sc->listener_path, "/run/seccomp.sock") && !strcmp(sc->listener_metadata, "meta"),
	   "full: seccomp listener");
	ok(sc->n_rules == 3 && sc->rules[0].n_names == 2 && sc->rules[0].action == SECCOMP_RET_ALLOW &&
	   !sc->rules[0].has_errno && sc->rules[2].action == SECCOMP_RET_USER_NOTIF,
	   "full: seccomp rules");
	ok(sc->rules[1].has_errno && sc->rules[1].errno_ret == 1 && sc->rules[1].n_args == 2 &&
	   sc->rules[1].args[0].op == SCMP_OP_EQ && sc->rules[1].args[0].value == 8 &&
	   sc->rules[1].args[1].index == 5 && sc->rules[1].args[1].value == UINT64_MAX &&
	   sc->rules[1].args[1].value_two == 3 && sc->rules[1].args[1].op == SCMP_OP_MASKED_EQ,
	   "full: seccomp args");
}

static void test_full(void)
{
	if (!ok(load(full_config) == 0, "a config using every field loads"))
		return;
	test_full_mounts();
	test_full_process();
	test_full_top();
	test_full_linux();
	test_full_resources();
	test_full_seccomp();
}

static void test_minimal(void)
{
	good("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}}", "no process, no linux");
	ok(!S.has_process && !S.resources.present && !S.seccomp.present && S.n_namespaces == 0,
	   "minimal: nothing else set");
	good(cfg("", "", ""), "the small config");
	ok(!strcmp(S.process.cwd, "/"), "cwd defaults to /");
	good(cfg(", \"env\": null, \"cwd\": null", ", \"seccomp\": null", ", \"hostname\": null"),
	     "null is taken as absent");
	ok(!S.seccomp.present && !S.hostname && S.process.n_env == 0, "null values leave fields unset");
}

/* ---- versions and required properties ----------------------------- */

static void test_versions(void)
{
	static const char *const fine[] = { "1.0.0", "1.1.0", "1.2.1", "1.3.0", "1.9.0",
					    "1.0.2-dev", "1.10.0" };
	static const char *const wrong[] = { "2.0.0", "0.9.0", "1", "1.", "v1.0.0", "" };
	char *t, want[100];

	for (size_t k = 0; k < sizeof(fine) / sizeof(*fine); k++) {
		t = xasprintf("{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"}}", fine[k]);
		ok(load(t) == 0 && !strcmp(S.oci_version, fine[k]), "ociVersion %s accepted", fine[k]);
	}
	for (size_t k = 0; k < sizeof(wrong) / sizeof(*wrong); k++) {
		t = xasprintf("{\"ociVersion\": \"%s\", \"root\": {\"path\": \"r\"}}", wrong[k]);
		snprintf(want, sizeof(want), "ociVersion: unsupported version \"%s\" (expected 1.x)",
			 wrong[k]);
		bad(t, want);
	}
	bad("{\"ociVersion\": 1, \"root\": {\"path\": \"r\"}}", "ociVersion: expected a string");
	bad("{\"root\": {\"path\": \"r\"}}", "ociVersion: missing required property");
	bad("{\"ociVersion\": \"1.0.0\"}", "root: missing required property");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {}}", "root.path: missing required property");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"\"}}",
	    "root.path: expected a non-empty path");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}",
	    "root.readonly: expected true or false");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": \"rootfs\"}", "root: expected an object");
}

/* ---- wrong types and values --------------------------------------- */

static void test_process_errors(void)
{
	const char *u32 = "expected an integer from 0 to 4294967295";
	char want[200];

	snprintf(want, sizeof(want), "process.user.uid: %s", u32);
	bad(cfg(", \"user\": {\"uid\": \"0\", \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": 4294967296, \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": -1, \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": 1.5, \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": 1e3, \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": 99999999999999999999999, \"gid\": 0}", "", ""), want);
	bad(cfg(", \"user\": {\"uid\": true, \"gid\": 0}", "", ""), want);
	good(cfg(", \"user\": {\"uid\": 4294967295, \"gid\": -0}", "", ""), "uid 4294967295, gid -0");
	bad(cfg(", \"user\": {\"gid\": 0}", "", ""), "process.user.uid: missing required property");
	bad(cfg(", \"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 512}", "", ""),
	    "process.user.umask: expected an integer from 0 to 511");
	snprintf(want, sizeof(want), "process.user.additionalGids[1]: %s", u32);
	bad(cfg(", \"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [1, \"2\"]}", "", ""), want);
	bad(cfg(", \"terminal\": 1", "", ""), "process.terminal: expected true or false");
	bad(cfg(", \"terminal\": \"true\"", "", ""), "process.terminal: expected true or false");
	bad(cfg(", \"env\": \"A=1\"", "", ""), "process.env: expected an array of strings");
	bad(cfg(", \"env\": [\"A=1\", 2]", "", ""), "process.env[1]: expected a string");
	bad(cfg(", \"cwd\": \"work\"", "", ""), "process.cwd: expected an absolute path");
	bad(cfg(", \"oomScoreAdj\": 5000", "", ""),
	    "process.oomScoreAdj: expected an integer from -1000 to 1000");
	bad(cfg(", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_FOO\"]}", "", ""),
	    "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"");
	bad(cfg(", \"capabilities\": {\"ambient\": [\"kill\"]}", "", ""),
	    "process.capabilities.ambient[0]: unknown capability \"kill\"");
	bad(cfg(", \"capabilities\": {\"effective\": \"CAP_KILL\"}", "", ""),
	    "process.capabilities.effective: expected an array of strings");
	bad(cfg(", \"capabilities\": [\"CAP_KILL\"]", "", ""),
	    "process.capabilities: expected an object");
	bad(cfg(", \"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]", "", ""),
	    "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	bad(cfg(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1},"
		" {\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]", "", ""),
	    "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	bad(cfg(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1}]", "", ""),
	    "process.rlimits[0].soft: missing required property");
	bad(cfg(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", "", ""),
	    "process.rlimits[0].soft: expected at most hard (1)");
	bad(cfg(", \"rlimits\": {}", "", ""), "process.rlimits: expected an array of objects");
	bad(cfg(", \"rlimits\": [1]", "", ""), "process.rlimits[0]: expected an object");
	bad(cfg(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_XX\"}", "", ""),
	    "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_XX\"");
	bad(cfg(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\", \"priority\": 8}", "", ""),
	    "process.ioPriority.priority: expected an integer from 0 to 7");
	bad(cfg(", \"scheduler\": {\"policy\": \"SCHED_FOO\"}", "", ""),
	    "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\"");
	bad(cfg(", \"scheduler\": {\"nice\": 1}", "", ""),
	    "process.scheduler.policy: missing required property");
	bad(cfg(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": [\"SCHED_FLAG_NOPE\"]}", "", ""),
	    "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_NOPE\"");
	bad(cfg(", \"consoleSize\": {\"height\": 1}", "", ""),
	    "process.consoleSize.width: missing required property");
	bad(cfg(", \"execCPUAffinity\": {\"initial\": 1}", "", ""),
	    "process.execCPUAffinity.initial: expected a string");
}

static void test_args(void)
{
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\"}}",
	    "process.args: missing required property");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": []}}",
	    "process.args: expected a non-empty array of strings");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": null}}",
	    "process.args: missing required property");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\", 1]}}",
	    "process.args[1]: expected a string");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": [\"sh\"]}",
	    "process: expected an object");
}

static void test_mount_errors(void)
{
	const char *m = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"mounts\": [%s]}";

	bad(xasprintf(m, "{\"destination\": \"/a\"}, {\"destination\": \"b\"}"),
	    "mounts[1].destination: expected an absolute path");
	bad(xasprintf(m, "{\"type\": \"tmpfs\"}"), "mounts[0].destination: missing required property");
	bad(xasprintf(m, "{\"destination\": \"/a\", \"options\": \"ro\"}"),
	    "mounts[0].options: expected an array of strings");
	bad(xasprintf(m, "{\"destination\": \"/a\", \"options\": [\"ro\", 5]}"),
	    "mounts[0].options[1]: expected a non-empty string");
	bad(xasprintf(m, "{\"destination\": \"/a\", \"options\": [\"\"]}"),
	    "mounts[0].options[0]: expected a non-empty string");
	bad(xasprintf(m, "{\"destination\": \"/a\", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 0}]}"),
	    "mounts[0].uidMappings[0].size: missing required property");
	bad("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"mounts\": {}}",
	    "mounts: expected an array of objects");
	good(xasprintf(m, "{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"/b\"}"),
	     "a mount of type bind");
	ok(S.mounts[0].bind && S.mounts[0].flags == MS_BIND && !S.mounts[0].data, "type bind means bind");
	good(xasprintf(m, "{\"destination\": \"/a\", \"options\": [\"rw\", \"suid\", \"exec\", \"x=1\"]}"),
	     "clearing options");
	ok(S.mounts[0].clear == (MS_RDONLY | MS_NOSUID | MS_NOEXEC) && !S.mounts[0].flags &&
	   !strcmp(S.mounts[0].data, "x=1"), "rw, suid, exec clear flags");
}

static void test_linux_errors(void)
{
	bad(cfg("", "", ", \"linux\": []"), "linux: expected an object");
	bad(cfg("", "", ", \"linux\": \"x\""), "linux: expected an object");
	bad(cfg("", ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pidd\"}]", ""),
	    "linux.namespaces[1].type: unknown namespace type \"pidd\"");
	bad(cfg("", ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]", ""),
	    "linux.namespaces[1].type: duplicate namespace type \"pid\"");
	bad(cfg("", ", \"namespaces\": [{\"type\": \"uts\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\", \"path\": \"/x\"}]", ""),
	    "linux.namespaces[2].type: duplicate namespace type \"uts\"");
	bad(cfg("", ", \"namespaces\": [{\"path\": \"/proc/1/ns/net\"}]", ""),
	    "linux.namespaces[0].type: missing required property");
	bad(cfg("", ", \"namespaces\": [{\"type\": \"network\", \"path\": \"proc/1/ns/net\"}]", ""),
	    "linux.namespaces[0].path: expected an absolute path");
	bad(cfg("", ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": -5, \"size\": 1}]", ""),
	    "linux.uidMappings[0].hostID: expected an integer from 0 to 4294967295");
	bad(cfg("", ", \"devices\": [{\"path\": \"/dev/x\", \"type\": \"x\"}]", ""),
	    "linux.devices[0].type: unknown device type \"x\"");
	bad(cfg("", ", \"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", \"minor\": 1}]", ""),
	    "linux.devices[0].major: missing required property");
	bad(cfg("", ", \"devices\": [{\"path\": \"/dev/x\", \"type\": \"b\", \"major\": 1}]", ""),
	    "linux.devices[0].minor: missing required property");
	bad(cfg("", ", \"devices\": [{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1}]", ""),
	    "linux.devices[0].path: expected an absolute path");
	bad(cfg("", ", \"devices\": [{\"type\": \"c\", \"major\": 1, \"minor\": 1}]", ""),
	    "linux.devices[0].path: missing required property");
	bad(cfg("", ", \"rootfsPropagation\": \"sideways\"", ""),
	    "linux.rootfsPropagation: unknown propagation \"sideways\"");
	bad(cfg("", ", \"maskedPaths\": [\"proc/kcore\"]", ""),
	    "linux.maskedPaths[0]: expected an absolute path");
	bad(cfg("", ", \"readonlyPaths\": \"/proc\"", ""),
	    "linux.readonlyPaths: expected an array of absolute paths");
	bad(cfg("", ", \"sysctl\": {\"a\": 1}", ""), "linux.sysctl.a: expected a string");
	bad(cfg("", ", \"timeOffsets\": {\"realtime\": {\"secs\": 1}}", ""),
	    "linux.timeOffsets: unknown clock \"realtime\"");
	bad(cfg("", ", \"timeOffsets\": {\"boottime\": {\"nanosecs\": 1000000000}}", ""),
	    "linux.timeOffsets.boottime.nanosecs: expected an integer from 0 to 999999999");
	bad(cfg("", ", \"personality\": {\"domain\": \"LINUX64\"}", ""),
	    "linux.personality.domain: unknown personality domain \"LINUX64\"");
	bad(cfg("", ", \"personality\": {\"domain\": \"LINUX\", \"flags\": [\"X\"]}", ""),
	    "linux.personality.flags[0]: unknown personality flag \"X\"");
	bad(cfg("", ", \"intelRdt\": []", ""), "linux.intelRdt: expected an object");
	bad(cfg("", ", \"netDevices\": 1", ""), "linux.netDevices: expected an object");
	bad(cfg("", ", \"cgroupsPath\": 5", ""), "linux.cgroupsPath: expected a string");
}

static void test_resources_errors(void)
{
	const char *r = ", \"resources\": {%s}";

	bad(cfg("", xasprintf(r, "\"devices\": [{\"access\": \"rwm\"}]"), ""),
	    "linux.resources.devices[0].allow: missing required property");
	bad(cfg("", xasprintf(r, "\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]"), ""),
	    "linux.resources.devices[0].access: expected a combination of r, w and m");
	bad(cfg("", xasprintf(r, "\"devices\": [{\"allow\": true, \"access\": \"rr\"}]"), ""),
	    "linux.resources.devices[0].access: expected a combination of r, w and m");
	bad(cfg("", xasprintf(r, "\"devices\": [{\"allow\": true, \"type\": \"u\"}]"), ""),
	    "linux.resources.devices[0].type: unknown device type \"u\"");
	bad(cfg("", xasprintf(r, "\"devices\": [{\"allow\": true, \"major\": -2}]"), ""),
	    "linux.resources.devices[0].major: expected an integer from -1 to 4294967295");
	bad(cfg("", xasprintf(r, "\"memory\": {\"limit\": -2}"), ""),
	    "linux.resources.memory.limit: expected an integer from -1 to 9223372036854775807");
	bad(cfg("", xasprintf(r, "\"memory\": {\"swappiness\": 101}"), ""),
	    "linux.resources.memory.swappiness: expected an integer from 0 to 100");
	bad(cfg("", xasprintf(r, "\"cpu\": {\"shares\": 9223372036854775808}"), ""),
	    "linux.resources.cpu.shares: expected an integer from 0 to 9223372036854775807");
	bad(cfg("", xasprintf(r, "\"cpu\": {\"cpus\": 3}"), ""),
	    "linux.resources.cpu.cpus: expected a string");
	bad(cfg("", xasprintf(r, "\"pids\": {}"), ""),
	    "linux.resources.pids.limit: missing required property");
	bad(cfg("", xasprintf(r, "\"blockIO\": {\"weight\": 65536}"), ""),
	    "linux.resources.blockIO.weight: expected an integer from 0 to 65535");
	bad(cfg("", xasprintf(r, "\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}]}"), ""),
	    "linux.resources.blockIO.weightDevice[0]: expected weight or leafWeight");
	bad(cfg("", xasprintf(r, "\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, \"rate\": 1}]}"), ""),
	    "linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: missing required property");
	bad(cfg("", xasprintf(r, "\"hugepageLimits\": [{\"limit\": 1}]"), ""),
	    "linux.resources.hugepageLimits[0].pageSize: missing required property");
	bad(cfg("", xasprintf(r, "\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": -1}]}"), ""),
	    "linux.resources.network.priorities[0].priority: expected an integer from 0 to 4294967295");
	bad(cfg("", xasprintf(r, "\"rdma\": {\"mlx5_1\": {}}"), ""),
	    "linux.resources.rdma.mlx5_1: expected hcaHandles or hcaObjects");
	bad(cfg("", xasprintf(r, "\"rdma\": {\"mlx5_1\": {\"hcaHandles\": \"3\"}}"), ""),
	    "linux.resources.rdma.mlx5_1.hcaHandles: expected an integer from 0 to 4294967295");
	bad(cfg("", xasprintf(r, "\"rdma\": []"), ""), "linux.resources.rdma: expected an object");
	bad(cfg("", xasprintf(r, "\"unified\": {\"cpu.max\": [\"max\"]}"), ""),
	    "linux.resources.unified.cpu.max: expected a string");
	bad(cfg("", ", \"resources\": []", ""), "linux.resources: expected an object");
}

static void test_seccomp_errors(void)
{
	const char *s = ", \"seccomp\": {%s}";

	bad(cfg("", xasprintf(s, "\"architectures\": []"), ""),
	    "linux.seccomp.defaultAction: missing required property");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_NOPE\""), ""),
	    "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1"), ""),
	    "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]"), ""),
	    "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_X\"]"), ""),
	    "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"m\""), ""),
	    "linux.seccomp.listenerMetadata: only valid with listenerPath");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]"), ""),
	    "linux.seccomp.syscalls[0].names: missing required property");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]"), ""),
	    "linux.seccomp.syscalls[0].names: expected a non-empty array of strings");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]"), ""),
	    "linux.seccomp.syscalls[0].action: missing required property");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]"), ""),
	    "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]"), ""),
	    "linux.seccomp.syscalls[0].args[0].index: expected an integer from 0 to 5");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_XX\"}]}]"), ""),
	    "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]"), ""),
	    "linux.seccomp.syscalls[0].args[0].value: missing required property");
	bad(cfg("", xasprintf(s, "\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 65536}]"), ""),
	    "linux.seccomp.syscalls[0].errnoRet: expected an integer from 0 to 65535");
}

static void test_top_errors(void)
{
	bad(cfg("", "", ", \"hostname\": 5"), "hostname: expected a string");
	bad(cfg("", "", ", \"annotations\": {\"foo\": 1}"), "annotations.foo: expected a string");
	bad(cfg("", "", ", \"annotations\": [\"foo\"]"), "annotations: expected an object of strings");
	bad(cfg("", "", ", \"hooks\": {\"prestart\": [{\"path\": \"pre\"}]}"),
	    "hooks.prestart[0].path: expected an absolute path");
	bad(cfg("", "", ", \"hooks\": {\"poststop\": [{\"path\": \"/p\", \"timeout\": 0}]}"),
	    "hooks.poststop[0].timeout: expected an integer from 1 to 2147483647");
	bad(cfg("", "", ", \"hooks\": {\"createRuntime\": [{\"args\": []}]}"),
	    "hooks.createRuntime[0].path: missing required property");
	bad(cfg("", "", ", \"hooks\": {\"startContainer\": [{\"path\": \"/p\", \"env\": [1]}]}"),
	    "hooks.startContainer[0].env[0]: expected a string");
	good(cfg("", "", ", \"hooks\": {\"someFutureHook\": 5}"), "unknown hook kinds are ignored");
	good(cfg(", \"future\": {\"a\": [1, 2.5e-3, null, true]}", ", \"future\": 1", ", \"solaris\": {}"),
	     "unknown properties are ignored");
}

/* ---- JSON syntax, strings, limits --------------------------------- */

static void bad_json(const char *text, size_t at, const char *why)
{
	char want[200];

	snprintf(want, sizeof(want), "invalid JSON at byte %zu: %s", at, why);
	bad(text, want);
}

static void test_syntax(void)
{
	bad_json("", 1, "unexpected end");
	bad_json("   \n", 5, "unexpected end");
	bad_json("{\"ociVersion\": \"1.0.0\",}", 24, "unexpected character");
	bad_json("{\"ociVersion\" \"1.0.0\"}", 15, "unexpected character");
	bad_json("{\"a\": [1 2]}", 10, "unexpected character");
	bad_json("{\"a\": [1,]}", 10, "unexpected character");
	bad_json("{\"a\": 1} x", 10, "unexpected character");
	bad_json("{\"a\": 1}}", 9, "unexpected character");
	bad_json("{\"a\": [1}", 9, "unexpected character");
	bad_json("{\"a\": 01}", 8, "unexpected character");
	bad_json("{\"a\": 1.}", 7, "invalid number");
	bad_json("{\"a\": 1e}", 7, "invalid number");
	bad_json("{\"a\": tru}", 7, "unexpected character");
	bad_json("{\"a\": nul", 7, "unexpected character");
	bad_json("{\"a\": \"x", 9, "unterminated string");
	bad_json("{\"a\": {", 8, "unexpected end");
	bad_json("{a: 1}", 2, "unexpected character");
	bad_json("{\"a\": 'x'}", 7, "unexpected character");
	bad_json("{\"a\": \"x\\qy\"}", 9, "invalid escape");
	bad_json("{\"a\": \"x\\u12\"}", 9, "invalid \\u escape");
	bad_json("{\"a\": \"x\\u0000y\"}", 9, "\\u0000 in a string");
	bad_json("{\"a\": \"\\ud800\"}", 8, "unpaired surrogate in a \\u escape");
	bad_json("{\"a\": \"\\udc00x\"}", 8, "unpaired surrogate in a \\u escape");
	bad_json("{\"a\": \"\\ud800\\u0041\"}", 8, "unpaired surrogate in a \\u escape");
	bad_json("{\"a\": \"x\ty\"}", 9, "control character in a string");
	bad_json("{\"a\": \"x\ny\"}", 9, "control character in a string");
	ok(is_error(load_len("{\"a\": \"x\0y\"}", 12), cfg_path,
			      "invalid JSON at byte 9: control character in a string"),
	   "rejected: a NUL byte in a string");
	ok(is_error(load_len("{\"a\": 1}\0", 9), cfg_path, "invalid JSON at byte 9: unexpected character"),
	   "rejected: a NUL byte after the object");
	bad("[]", "expected a JSON object");
	bad("\"x\"", "expected a JSON object");
	bad(" 5 ", "expected a JSON object");
}

static void test_strings(void)
{
	good(cfg("", "", ", \"hostname\": \"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""), "simple escapes");
	ok(!strcmp(S.hostname, "\" \\ / \b \f \n \r \t"), "simple escapes are unescaped");
	good(cfg("", "", ", \"hostname\": \"\\u0041\\u00e9\\u20AC\\ud83d\\ude00z\""), "\\u escapes");
	ok(!strcmp(S.hostname, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"),
	   "\\u escapes and a surrogate pair become UTF-8");
	good(cfg("", "", ", \"\\u0068ostname\": \"esc\""), "an escaped key");
	ok(S.hostname && !strcmp(S.hostname, "esc"), "escaped keys are matched unescaped");
	good(cfg("", "", ", \"hostname\": \"caf\xc3\xa9\""), "raw UTF-8");
	ok(!strcmp(S.hostname, "caf\xc3\xa9"), "raw UTF-8 is kept");
	good(cfg("", ", \"namespaces\": [{\"type\": \"\\u0070id\"}]", ""), "an escaped enum value");
	ok(S.n_namespaces == 1 && S.namespaces[0].type == CLONE_NEWPID, "escaped enum values are matched");
}

static void test_limits(void)
{
	size_t n = 10000, len;
	char *t, *deep = malloc(2 * n + 200), *p;
	FILE *f;

	p = deep + sprintf(deep, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"x\": ");
	memset(p, '[', n);
	memset(p + n, ']', n);
	strcpy(p + 2 * n, "}");
	/* the object is level 1: the 64th '[' is one too many */
	bad_json(deep, p - deep + 64, "nested more than 64 levels deep");
	p = deep + sprintf(deep, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"x\": ");
	memset(p, '[', 63);
	memset(p + 63, ']', 63);
	strcpy(p + 126, "}");
	good(deep, "nesting 64 levels deep");
	/* 4 MiB of '[' must fail fast, not make jsmn quadratic */
	len = 4 << 20;
	t = malloc(len);
	memset(t, '[', len);
	ok(is_error(load_len(t, len), cfg_path, "invalid JSON at byte 65: nested more than 64 levels deep"),
	   "4 MiB of '[' rejected");
	memset(t, ' ', len);
	t[0] = '{';
	t[len - 1] = '}';
	ok(is_error(load_len(t, len + 0), cfg_path, "ociVersion: missing required property"),
	   "a 4 MiB file is read");
	t = realloc(t, len + 1);
	t[len] = ' ';
	ok(is_error(load_len(t, len + 1), cfg_path, "larger than 4194304 bytes"),
	   "a file over 4 MiB rejected");

	f = open_memstream(&t, &len);
	fprintf(f, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"sh\"], \"env\": [");
	for (size_t k = 0; k < 100000; k++)
		fprintf(f, "%s\"V%zu=%zu\"", k ? "," : "", k, k);
	fprintf(f, "]}, \"annotations\": {");
	for (size_t k = 0; k < 80000; k++)
		fprintf(f, "%s\"key%zu\": \"%zu\"", k ? "," : "", k, k);
	fprintf(f, "}}");
	fclose(f);
	good(t, "100000 env entries and 80000 annotations");
	ok(S.process.n_env == 100000 && !strcmp(S.process.env[99999], "V99999=99999") &&
	   S.n_annotations == 80000 && !strcmp(S.annotations[79999].key, "key79999"),
	   "huge array and object read whole");
	free(t);

	t = malloc((1 << 20) + 200);
	p = t + sprintf(t, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"hostname\": \"");
	memset(p, 'h', 1 << 20);
	strcpy(p + (1 << 20), "\"}");
	good(t, "a 1 MiB string");
	ok(strlen(S.hostname) == 1 << 20, "the 1 MiB string is whole");
	free(t);
	free(deep);
}

static void test_files(void)
{
	char missing[400], want[500];

	snprintf(missing, sizeof(missing), "%s/nope.json", dir);
	snprintf(want, sizeof(want), "open %s: No such file or directory", missing);
	ok(spec_load(missing, dir, &S) == -1 && !strcmp(last, want), "a missing file: %s", want);
	snprintf(want, sizeof(want), "open %s: Is a directory", dir);
	ok(spec_load(dir, dir, &S) == -1 && (!strcmp(last, want) || strstr(last, "Is a directory")),
	   "a directory is rejected");
}

/* ---- process.json -------------------------------------------------- */

static void test_process_load(void)
{
	struct process p;

	write_text(other_path, "{\"args\": [\"/bin/ls\", \"-l\"], \"env\": [\"X=1\"], \"terminal\": false,"
		   " \"user\": {\"uid\": 5, \"gid\": 6}, \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}}");
	ok(process_load(other_path, &p) == 0 && p.n_args == 2 && !strcmp(p.args[1], "-l") &&
	   p.uid == 5 && p.gid == 6 && !strcmp(p.cwd, "/") && p.has_caps &&
	   p.caps[CAPSET_BOUNDING] == 1ull << CAP_KILL, "process.json loads");
	write_text(other_path, "{\"env\": []}");
	ok(is_error(process_load(other_path, &p), other_path, "args: missing required property"),
	   "process.json: paths start at the process object");
	write_text(other_path, "{\"args\": [\"a\"], \"user\": {\"uid\": -1, \"gid\": 0}}");
	ok(is_error(process_load(other_path, &p), other_path,
		    "user.uid: expected an integer from 0 to 4294967295"), "process.json: user.uid");
}

/* ---- writing -------------------------------------------------------- */

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	size_t len;
	char *s;
	FILE *f = open_memstream(&s, &len);

	fn(f, arg);
	fclose(f);
	return s;
}

static void w_string(FILE *f, const void *arg) { json_string(f, arg); }
static void w_features(FILE *f, const void *arg) { (void)arg; json_features(f); }
static void w_log(FILE *f, const void *arg)
{
	json_log_line(f, "error", arg, "2024-01-02T03:04:05.000000006Z");
}

static void fill_state(struct state *st)
{
	static struct kv ann[] = { { "k\"1", "v\n1" }, { "k2", "" } };

	memset(st, 0, sizeof(*st));
	strcpy(st->id, "ctr-1");
	st->pid = 4242;
	st->start_time = 123456789012ull;
	strcpy(st->bundle, "/b/und \"le\"");
	strcpy(st->rootfs, "/b/und/rootfs");
	strcpy(st->created, "2024-01-02T03:04:05.123456789Z");
	st->owner = 0;
	strcpy(st->cgroup, "/sys/fs/cgroup/ocimin/ctr-1");
	st->annotations = ann;
	st->n_annotations = 2;
}

static void test_state(void)
{
	struct state st, rd;
	char *s;
	size_t len;
	FILE *f = fopen(other_path, "w");

	fill_state(&st);
	json_state_write(f, &st, NULL, true);
	fclose(f);
	ok(json_state_read(other_path, &rd) == 0, "internal state.json reads back");
	ok(!strcmp(rd.id, st.id) && rd.pid == st.pid && rd.start_time == st.start_time &&
	   !strcmp(rd.bundle, st.bundle) && !strcmp(rd.rootfs, st.rootfs) &&
	   !strcmp(rd.created, st.created) && rd.owner == 0 && !strcmp(rd.cgroup, st.cgroup),
	   "state fields round-trip");
	ok(rd.n_annotations == 2 && !strcmp(rd.annotations[0].key, "k\"1") &&
	   !strcmp(rd.annotations[0].value, "v\n1") && !strcmp(rd.annotations[1].value, ""),
	   "state annotations round-trip");
	f = open_memstream(&s, &len);
	json_state_write(f, &st, "running", false);
	fclose(f);
	ok(strstr(s, "{\n  \"ociVersion\": \"" OCI_SPEC_VERSION "\",\n  \"id\": \"ctr-1\",\n  \"pid\": 4242,\n"
		  "  \"status\": \"running\",\n") && strstr(s, "\"owner\": \"root\"\n}\n") &&
	   !strstr(s, "start_time") && strstr(s, "\"bundle\": \"/b/und \\\"le\\\"\""),
	   "state output is indented, with status and owner name");
	free(s);
	write_text(other_path, "{\"id\": \"x\", \"pid\": 1, \"bundle\": \"/b\", \"status\": \"running\", \"new\": [1]}");
	ok(json_state_read(other_path, &rd) == 0 && rd.pid == 1 && !rd.start_time, "unknown state keys ignored");
	write_text(other_path, "{\"id\": \"x\", \"pid\": \"1\", \"bundle\": \"/b\"}");
	ok(is_error(json_state_read(other_path, &rd), other_path,
		    "pid: expected an integer from 0 to 2147483647"), "a bad state.json is an error");
	s = xasprintf("{\"id\": \"%02000d\", \"pid\": 1, \"bundle\": \"/b\"}", 0);
	write_file(other_path, s, strlen(s));
	ok(is_error(json_state_read(other_path, &rd), other_path,
		    "id: expected a string of at most 1024 bytes"), "an over-long id is an error");
}

static void test_list(void)
{
	struct state st[2];
	const char *status[2] = { "running", "stopped" };
	char *s;
	size_t len;
	FILE *f;

	f = open_memstream(&s, &len);
	json_list(f, st, status, 0);
	fclose(f);
	ok(!strcmp(s, "[]\n"), "an empty list is []");
	fill_state(&st[0]);
	fill_state(&st[1]);
	st[1].n_annotations = 0;
	st[1].owner = 4000000000u;
	strcpy(st[1].id, "b");
	f = open_memstream(&s, &len);
	json_list(f, st, status, 2);
	fclose(f);
	ok(!strncmp(s, "[{\"ociVersion\":\"", 16) && strstr(s, "\"status\":\"stopped\"") &&
	   strstr(s, "\"owner\":\"#4000000000\"}]\n") && !strchr(s, '\n')[1],
	   "list is one line of state objects");
}

static void test_writers(void)
{
	char *s;

	s = capture(w_string, "a\"b\\c\n\t\x01\x1f/\xc3\xa9");
	ok(!strcmp(s, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/\xc3\xa9\""), "json_string escapes");
	s = capture(w_log, "create x: \"bad\"");
	ok(!strcmp(s, "{\"level\":\"error\",\"msg\":\"create x: \\\"bad\\\"\","
		      "\"time\":\"2024-01-02T03:04:05.000000006Z\"}\n"), "json_log_line");
	s = capture(w_features, NULL);
	write_file(other_path, s, strlen(s));
	ok(strstr(s, "\"ociVersionMin\": \"1.0.0\"") && strstr(s, "\"ociVersionMax\": \"" OCI_SPEC_VERSION "\"") &&
	   strstr(s, "\"CAP_CHECKPOINT_RESTORE\"") && strstr(s, "\"rbind\"") &&
	   strstr(s, "\"user\"") && strstr(s, "\"time\"") && strstr(s, "\"poststop\"") &&
	   strstr(s, "\"io.github.ocimin.version\": \"" OCIMIN_VERSION "\""), "features lists the tables");
	/* the features document is valid JSON: reading it fails only on what
	 * a process.json needs */
	ok(is_error(process_load(other_path, &(struct process){ 0 }), other_path,
		    "args: missing required property"), "features is valid JSON");
	ok(cap_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN && cap_from_name("CAP_CHECKPOINT_RESTORE") == 40 &&
	   cap_from_name("SYS_ADMIN") == -1 && !strcmp(cap_name(0), "CAP_CHOWN") &&
	   !strcmp(cap_name(40), "CAP_CHECKPOINT_RESTORE") && !cap_name(41) && !cap_name(-1),
	   "capability name table");
	ok(ns_from_name("pid") == CLONE_NEWPID && ns_from_name("network") == CLONE_NEWNET &&
	   ns_from_name("mount") == CLONE_NEWNS && ns_from_name("time") == CLONE_NEWTIME &&
	   ns_from_name("net") == -1 && !strcmp(ns_name(CLONE_NEWUSER), "user") &&
	   !strcmp(ns_name(CLONE_NEWCGROUP), "cgroup") && !ns_name(0), "namespace name table");
}

/* ---- main ----------------------------------------------------------- */

static void cleanup(void)
{
	unlink(cfg_path);
	unlink(other_path);
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/unit-json.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/config.json", dir);
	snprintf(other_path, sizeof(other_path), "%s/other.json", dir);
	test_template();
	test_rootless_template();
	test_full();
	test_minimal();
	test_versions();
	test_process_errors();
	test_args();
	test_mount_errors();
	test_linux_errors();
	test_resources_errors();
	test_seccomp_errors();
	test_top_errors();
	test_syntax();
	test_strings();
	test_limits();
	test_files();
	test_process_load();
	test_state();
	test_list();
	test_writers();
	cleanup();
	return done_testing();
}
