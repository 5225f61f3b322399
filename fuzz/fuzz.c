/* fuzz/fuzz.c - libFuzzer targets for what ocimin reads from files it does
 * not control: config.json (spec_load), process.json (process_load),
 * state.json (json_state_read), a LinuxResources file (resources_load) and
 * linux.seccomp through the BPF compiler (seccomp_compile). Built by
 * `make fuzz` with clang, -fsanitize=fuzzer,address,undefined, against
 * glibc, into one binary: the name it is run by (build/fuzz/config,
 * seccomp, process, resources, state: links to it) picks the target.
 *
 * json.c is compiled into this file, not linked, for two reasons: its
 * memory lives until exit by design, which a fuzzer running millions of
 * inputs in one process cannot afford, so its malloc family is renamed
 * here to one that frees everything after each input; and its grammar
 * checker (check_json) is at hand to check what the writers produce.
 *
 * Besides "no crash, no sanitizer report", each target checks the error
 * convention (a failure prints exactly one line, a success none) and what
 * the parsers promise their callers (args non-empty and NULL-terminated,
 * absolute paths, state written back reads the same). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../ocimin.h"
#include "../t/unit.h"       /* ocimin.c's error functions, the seccomp builds */

/* ---- json.c, with its allocations tracked ---------------------------- */

static void **live;             /* json.c's blocks not yet freed */
static size_t n_live, cap_live;

static void *fz_track(void *m)
{
	if (!m)
		return NULL;
	if (n_live == cap_live) {
		cap_live = cap_live ? 2 * cap_live : 256;
		live = realloc(live, cap_live * sizeof(*live));
		if (!live)
			abort();
	}
	live[n_live++] = m;
	return m;
}

static void fz_untrack(void *m)
{
	for (size_t k = n_live; k-- > 0;)
		if (live[k] == m) {
			live[k] = live[--n_live];
			return;
		}
	if (m)
		abort();                /* json.c freed what it never got */
}

static void *fz_malloc(size_t n) { return fz_track(malloc(n)); }
static void *fz_calloc(size_t n, size_t s) { return fz_track(calloc(n, s)); }

static void *fz_realloc(void *m, size_t n)
{
	void *r = realloc(m, n);

	if (r) {
		fz_untrack(m);
		fz_track(r);
	}
	return r;
}

static void fz_free(void *m)
{
	fz_untrack(m);
	free(m);
}

static void fz_release(void)
{
	while (n_live)
		free(live[--n_live]);
}

#define malloc fz_malloc
#define calloc fz_calloc
#define realloc fz_realloc
#define free fz_free
#include "../json.c"
#undef malloc
#undef calloc
#undef realloc
#undef free

int write_all(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* ---- the harness ------------------------------------------------------ */

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz: %s:%d: %s failed (last error: %s)\n", \
		__FILE__, __LINE__, #c, n_errors ? last : "none"); \
	abort(); } } while (0)

static int input_fd = -1;
static char input_path[64];

/* The input as a file, as ocimin opens it: a memfd seen through /proc. */
static const char *as_file(const uint8_t *data, size_t size)
{
	if (input_fd < 0) {
		input_fd = memfd_create("fuzz-input", MFD_CLOEXEC);
		CHECK(input_fd >= 0);
		snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
	}
	CHECK(ftruncate(input_fd, 0) == 0);
	CHECK(pwrite(input_fd, data, size, 0) == (ssize_t)size);
	return input_path;
}

/* One error for a failure, none for a success. (That it prints as one
 * line, whatever the input holds, is ocimin.c's vemit's job.) */
static void check_errors(int r)
{
	CHECK(r == 0 || r == -1);
	CHECK(n_errors == (r < 0));
}

/* What a writer produced is one valid JSON value. */
static void check_written(char *buf, size_t len)
{
	size_t at;

	CHECK(check_json(buf, len, &at) == NULL);
}

static void check_strv(char **v, size_t n, bool absolute)
{
	CHECK(v);
	for (size_t k = 0; k < n; k++)
		CHECK(v[k] && (!absolute || v[k][0] == '/'));
	CHECK(v[n] == NULL);
}

static void check_process(const struct process *p)
{
	CHECK(p->n_args >= 1);
	check_strv(p->args, p->n_args, false);
	check_strv(p->env, p->n_env, false);
	CHECK(p->cwd && p->cwd[0] == '/');
	CHECK(!p->has_umask || p->umask <= 0777);
	CHECK(!p->has_oom_score_adj || (p->oom_score_adj >= -1000 && p->oom_score_adj <= 1000));
	for (size_t k = 0; k < p->n_rlimits; k++)
		CHECK(p->rlimits[k].soft <= p->rlimits[k].hard);
}

static void check_spec(const struct spec *s, const char *path)
{
	CHECK(s->oci_version && !strncmp(s->oci_version, "1.", 2));
	CHECK(s->root_path && s->root_path[0] == '/');
	CHECK(s->path && !strcmp(s->path, path));
	if (s->has_process)
		check_process(&s->process);
	for (size_t k = 0; k < s->n_mounts; k++)
		CHECK(s->mounts[k].destination[0] == '/');
	for (int h = 0; h < HOOK_N; h++)
		for (size_t k = 0; k < s->n_hooks[h]; k++) {
			const struct hook *x = &s->hooks[h][k];

			CHECK(x->path[0] == '/');
			CHECK(x->args && x->env);
		}
	for (size_t k = 0; k < s->n_namespaces; k++)
		CHECK(ns_name(s->namespaces[k].type));
	for (size_t k = 0; k < s->n_devices; k++)
		CHECK(s->devices[k].path[0] == '/');
	check_strv(s->masked_paths ? s->masked_paths : no_strings,
		   s->masked_paths ? s->n_masked_paths : 0, true);
	check_strv(s->readonly_paths ? s->readonly_paths : no_strings,
		   s->readonly_paths ? s->n_readonly_paths : 0, true);
}

/* The ContainerProcessState of a parsed config is valid JSON. */
static void check_process_state(const struct spec *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	json_process_state(f, s, "fuzz", 1, "/bundle", "creating");
	CHECK(fclose(f) == 0);
	check_written(buf, len);
	free(buf);
}

/* A classic BPF program the kernel's checks (bpf_check_classic,
 * seccomp_check_filter) would take: jumps inside it, loads of whole words
 * of seccomp_data, a return at the end. */
static void check_bpf(const struct sock_fprog *prog)
{
	CHECK(prog->len > 0 && prog->len <= BPF_MAXINSNS);
	for (size_t i = 0; i < prog->len; i++) {
		const struct sock_filter *f = &prog->filter[i];
		size_t left = prog->len - i - 1;

		switch (BPF_CLASS(f->code)) {
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA)
				CHECK(f->k < left);
			else
				CHECK(f->jt < left && f->jf < left);
			break;
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS)
				CHECK(BPF_SIZE(f->code) == BPF_W && f->k % 4 == 0 &&
				      f->k < sizeof(struct seccomp_data));
			break;
		}
	}
	CHECK(BPF_CLASS(prog->filter[prog->len - 1].code) == BPF_RET);
}

static struct spec spec;

static int fuzz_config(const char *path)
{
	int r = spec_load(path, "/bundle", &spec);

	check_errors(r);
	if (r == 0) {
		check_spec(&spec, path);
		check_process_state(&spec);
	}
	return r;
}

/* The config, then its linux.seccomp compiled for every build's arches. */
static int fuzz_seccomp(const char *path)
{
	struct sock_fprog prog;
	int r;

	if (fuzz_config(path) < 0)
		return -1;
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		n_errors = 0;
		r = seccomp_compile(&spec.seccomp, path, builds[b], &prog);
		check_errors(r);
		if (r == 0 && spec.seccomp.present)
			check_bpf(&prog);
		if (r == 0 && !spec.seccomp.present)
			CHECK(prog.len == 0 && !prog.filter);
		free(prog.filter);
	}
	return 0;
}

static int fuzz_process(const char *path)
{
	struct process p;
	int r = process_load(path, &p);

	check_errors(r);
	if (r == 0)
		check_process(&p);
	return r;
}

static int fuzz_resources(const char *path)
{
	struct resources res;
	int r = resources_load(path, &res);

	check_errors(r);
	if (r == 0)
		CHECK(res.present);
	return r;
}

/* state.json, then what ocimin writes back of it, which reads the same. */
static int fuzz_state(const char *path)
{
	static struct state st, again;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r = json_state_read(path, &st);

	check_errors(r);
	if (r < 0)
		return -1;
	CHECK((f = open_memstream(&buf, &len)));
	json_state_write(f, &st, NULL, true);
	CHECK(fclose(f) == 0);
	check_written(buf, len);
	path = as_file((const uint8_t *)buf, len);
	r = json_state_read(path, &again);
	free(buf);
	check_errors(r);
	CHECK(r == 0);
	CHECK(!strcmp(st.id, again.id) && st.pid == again.pid &&
	      st.start_time == again.start_time && !strcmp(st.bundle, again.bundle) &&
	      !strcmp(st.rootfs, again.rootfs) && !strcmp(st.created, again.created) &&
	      st.owner == again.owner && !strcmp(st.cgroup, again.cgroup) &&
	      st.n_annotations == again.n_annotations);
	for (size_t k = 0; k < st.n_annotations; k++)
		CHECK(!strcmp(st.annotations[k].key, again.annotations[k].key) &&
		      !strcmp(st.annotations[k].value, again.annotations[k].value));
	return 0;
}

/* One binary; its name (a link to it) is the target. */
static const struct target {
	const char *name;
	int (*fn)(const char *path);
} targets[] = {
	{ "config", fuzz_config }, { "seccomp", fuzz_seccomp },
	{ "process", fuzz_process }, { "resources", fuzz_resources },
	{ "state", fuzz_state },
};

static const struct target *target;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *name = strrchr((*argv)[0], '/');

	(void)argc;
	name = name ? name + 1 : (*argv)[0];
	for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++)
		if (!strcmp(name, targets[k].name))
			target = &targets[k];
	if (!target) {
		fprintf(stderr, "fuzz: %s: not a target (config, seccomp, process, resources, state)\n", name);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	n_errors = 0;
	target->fn(as_file(data, size));
	fz_release();
	return 0;
}
