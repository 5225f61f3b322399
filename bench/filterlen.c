/* bench/filterlen.c - the seccomp filters a running process has, as the
 * kernel holds them, and what they cost the two syscalls bench/sysloop
 * times. It reads what crun's and runc's libseccomp loaded as well as what
 * ocimin loaded, so the bench compares programs, not claims.
 *
 *   filterlen PID  ->  "LENGTHS GETPPID PERSONALITY"
 *
 * LENGTHS: each filter's length in BPF instructions, the newest first,
 * joined by "+" ("412", or "3+412" for two filters), "0" for none.
 * GETPPID, PERSONALITY: for getppid() and personality(0xffffffff) on the
 * native arch, "cached" when the kernel's constant-action bitmap (Linux
 * 5.11) allows the call without running any filter, else the number of
 * instructions the filters run for it, summed ("?" if one uses an
 * instruction this reader does not know). Whether a call is cached is
 * decided as seccomp_is_const_allow() in kernel/seccomp.c decides it:
 * run with the arch and nr known and nothing else, every filter must
 * reach "ret ALLOW" without loading anything else.
 *
 * PTRACE_SECCOMP_GET_FILTER (Linux 4.4, CONFIG_CHECKPOINT_RESTORE) needs
 * CAP_SYS_ADMIN and a tracee in a ptrace stop: the process is seized,
 * interrupted, read, and let go as it was. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

#if defined(__x86_64__)
#define NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE AUDIT_ARCH_I386
#elif defined(__arm__)
#define NATIVE AUDIT_ARCH_ARM
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE AUDIT_ARCH_RISCV64
#else
#error "bench/filterlen: no AUDIT_ARCH for this architecture"
#endif

#define MAX_FILTERS 16
#define UNKNOWN -1L                   /* an instruction not handled here */
#define NOT_CONST -2L                 /* needs more than arch and nr */

struct filter { struct sock_filter *insns; long len; };

/* Runs f on d: the instructions run to its "ret", with the ret's value in
 * *ret. With konst, as the kernel's bitmap check: loading anything but
 * arch and nr gives NOT_CONST. */
static long run(const struct filter *f, const struct seccomp_data *d, int konst, uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	long steps = 0;

	for (long pc = 0; pc >= 0 && pc < f->len; pc++) {
		const struct sock_filter *in = &f->insns[pc];
		uint32_t k = in->k;

		steps++;
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > sizeof(*d) - 4 || k % 4)
				return UNKNOWN;
			if (konst && k != offsetof(struct seccomp_data, nr) &&
			    k != offsetof(struct seccomp_data, arch))
				return NOT_CONST;
			memcpy(&a, (const char *)d + k, 4);
			break;
		case BPF_RET | BPF_K:
			*ret = k;
			return steps;
		case BPF_JMP | BPF_JA:
			pc += k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & k ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= k;
			break;
		default:
			/* the kernel's bitmap check gives up on these too */
			if (konst)
				return NOT_CONST;
			switch (in->code) {
			case BPF_LD | BPF_MEM: if (k >= BPF_MEMWORDS) return UNKNOWN; a = mem[k]; break;
			case BPF_LDX | BPF_MEM: if (k >= BPF_MEMWORDS) return UNKNOWN; x = mem[k]; break;
			case BPF_ST: if (k >= BPF_MEMWORDS) return UNKNOWN; mem[k] = a; break;
			case BPF_STX: if (k >= BPF_MEMWORDS) return UNKNOWN; mem[k] = x; break;
			case BPF_MISC | BPF_TAX: x = a; break;
			case BPF_MISC | BPF_TXA: a = x; break;
			case BPF_JMP | BPF_JEQ | BPF_X: pc += a == x ? in->jt : in->jf; break;
			case BPF_JMP | BPF_JGE | BPF_X: pc += a >= x ? in->jt : in->jf; break;
			case BPF_JMP | BPF_JGT | BPF_X: pc += a > x ? in->jt : in->jf; break;
			case BPF_JMP | BPF_JSET | BPF_X: pc += a & x ? in->jt : in->jf; break;
			default: return UNKNOWN;
			}
		}
	}
	return UNKNOWN;
}

/* "cached", or the instructions every filter runs for nr(arg0). */
static void cost(const struct filter *fs, int n, long nr, uint64_t arg0, char *out, size_t size)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = NATIVE, .args = { arg0 } };
	uint32_t ret;
	long sum = 0, steps;
	int cached = 1;

	for (int i = 0; i < n; i++)
		if (run(&fs[i], &d, 1, &ret) < 0 || ret != SECCOMP_RET_ALLOW)
			cached = 0;
	if (cached) {
		snprintf(out, size, "cached");
		return;
	}
	for (int i = 0; i < n; i++) {
		if ((steps = run(&fs[i], &d, 0, &ret)) < 0) {
			snprintf(out, size, "?");
			return;
		}
		sum += steps;
	}
	snprintf(out, size, "%ld", sum);
}

/* The filters of pid, newest first, into fs; their number, or -1. */
static int get_filters(pid_t pid, struct filter *fs)
{
	int n;
	long len;

	/* with a NULL buffer the length alone; ENOENT past the oldest
	 * filter, EINVAL when there is none */
	for (n = 0; n < MAX_FILTERS; n++) {
		len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)n, NULL);
		if (len < 0 && (errno == ENOENT || (errno == EINVAL && n == 0)))
			return n;
		if (len < 0 || !(fs[n].insns = calloc(len, sizeof(*fs[n].insns))) ||
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(long)n, fs[n].insns) != len)
			return -1;
		fs[n].len = len;
	}
	errno = E2BIG;
	return -1;
}

int main(int argc, char **argv)
{
	static struct filter fs[MAX_FILTERS];
	char g[32], p[32];
	pid_t pid;
	int status, n;

	if (argc != 2 || (pid = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: filterlen PID\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 ||
	    waitpid(pid, &status, __WALL) < 0) {
		fprintf(stderr, "filterlen: trace %d: %s\n", pid, strerror(errno));
		return 1;
	}
	n = get_filters(pid, fs);
	if (n < 0) {
		fprintf(stderr, "filterlen: read the filters of %d: %s\n", pid, strerror(errno));
		return 1;
	}
	ptrace(PTRACE_DETACH, pid, 0, 0);
	if (!n) {
		printf("0 - -\n");
		return 0;
	}
	for (int i = 0; i < n; i++)
		printf("%s%ld", i ? "+" : "", fs[i].len);
	cost(fs, n, SYS_getppid, 0, g, sizeof(g));
	cost(fs, n, SYS_personality, 0xffffffffUL, p, sizeof(p));
	printf(" %s %s\n", g, p);
	return 0;
}
