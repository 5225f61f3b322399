/* seccomp.c - linux.seccomp compiled to classic BPF by ocimin itself, no
 * libseccomp. seccomp_compile() is a pure function: the profile and the
 * arches to filter go in, a sock_fprog comes out, with one malloc and no
 * syscall, so that unit tests and fuzzers link this file alone.
 *
 * The program checks the arch (one it was not made for is killed), loads
 * the syscall number and runs a balanced binary search over ranges of
 * numbers that share one decision: log2(ranges) jumps, not a scan. A leaf
 * is a shared "ret", or for a syscall whose fate depends on its arguments
 * its rules in profile order. A path that ignores arguments loads nothing
 * but arch and nr, so the kernel's constant-action bitmap (Linux 5.11)
 * learns those syscalls and stops running the filter for them.
 *
 * Semantics are libseccomp's, which runc and crun use: args of one rule
 * AND, rules of one syscall OR (first match wins), a rule without args
 * overrides the rules with args for its syscall, 64-bit values compared in
 * both halves (low halves only on 32-bit ABIs: x86, arm, x32). On top, as
 * runc's patchbpf does (moby#42054, crun#867), a syscall the profile does
 * not name and newer than all it names gets ENOSYS instead of a deny
 * default, so that a newer libc falls back instead of failing.
 *
 * The program is emitted backwards, from its last instruction to its
 * first, so every jump target is placed before the jump that needs it and
 * offsets are counted, never guessed; a target beyond the 255 a
 * conditional jump reaches gets a "ja" (or a copy of its "ret") in
 * between. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "ocimin.h"
#include "build/syscalls.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_JUMP 255                  /* jt and jf are 8 bits */
#define X32_BIT 0x40000000U           /* __X32_SYSCALL_BIT */
#define ARM_PRIVATE 0x0f0000U         /* __ARM_NR_BASE: cacheflush, set_tls */
#define MIPS_N64 5000                 /* __NR_Linux of n64: its first syscall */
#define RET_ENOSYS (SECCOMP_RET_ERRNO | ENOSYS)
/* Syscall numbers are small in each number space, counted from its
 * start (mksyscalls.sh checks that every table fits), so they are
 * bucketed by slot, not sorted. */
#define NR_SPAN 1024
#define NONE UINT32_MAX
/* An arch, or x32 on x86_64, that the profile does not list. libseccomp
 * kills the thread; the whole process is the safer victim. */
#define RET_BADARCH SECCOMP_RET_KILL_PROCESS

#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_ARG(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define OFF_LO(i) (OFF_ARG(i) + 4)
#define OFF_HI(i) OFF_ARG(i)
#else
#define OFF_LO(i) OFF_ARG(i)
#define OFF_HI(i) (OFF_ARG(i) + 4)
#endif

struct arch_def {
	uint32_t audit;               /* AUDIT_ARCH_*, or OCI_ARCH_X32 */
	uint32_t seg;                 /* start of a second number space, or 0 */
	uint16_t base;                /* start of the first; those below are unnamed */
	uint8_t col;                  /* its column of systab */
	uint8_t bits;                 /* 32: only low halves of args compare */
	const char *name;
};

static const struct arch_def arch_defs[] = {
	{ AUDIT_ARCH_X86_64, X32_BIT, 0, SYSTAB_X86_64, 64, "x86_64" },
	{ AUDIT_ARCH_I386, 0, 0, SYSTAB_I386, 32, "x86" },
	{ OCI_ARCH_X32, 0, 0, SYSTAB_X32, 32, "x32" },
	{ AUDIT_ARCH_AARCH64, 0, 0, SYSTAB_AARCH64, 64, "aarch64" },
	{ AUDIT_ARCH_ARM, ARM_PRIVATE, 0, SYSTAB_ARM, 32, "arm" },
	{ AUDIT_ARCH_RISCV64, 0, 0, SYSTAB_RISCV64, 64, "riscv64" },
	{ AUDIT_ARCH_MIPSEL64, 0, MIPS_N64, SYSTAB_MIPS64, 64, "mipsel64" },
};

/* One name of one rule resolved on the arch being compiled, in the list
 * of its slot, in profile order. */
struct ent { uint32_t rule, name, next; };

/* Syscall numbers from lo up to the next leaf's lo share one decision:
 * ret, or when n_kept > 0 the arg rules kept[kept..kept+n_kept) first. */
struct leaf { uint32_t lo, ret, kept, n_kept; };

typedef uint32_t label;           /* instructions from one to the end */

struct cc {
	const struct seccomp *sc;
	const char *path;
	const struct systab_ent **rows;   /* per name of every rule, in order */
	struct ent *ents;
	uint32_t *heads;              /* per slot, its first ent or NONE */
	uint32_t *kept;               /* rule indexes, runs of them per leaf */
	struct leaf *leaves;
	size_t n_ents, n_kept, n_leaves;
	uint32_t def;                 /* the default action's ret */
	bool enosys;                  /* newer unnamed syscalls get ENOSYS */
	bool x32;                     /* x32 listed, next to x86_64 */
	struct sock_filter *prog;     /* filled from prog[BPF_MAXINSNS - 1] down */
	label n;
	bool full;
	struct { uint32_t k; label at; } rets[16];
	size_t n_rets;
};

/* ---- the profile --------------------------------------------------- */

static uint32_t ret_of(uint32_t action, bool has_errno, uint32_t errno_ret)
{
	/* runc's defaults: EPERM for ERRNO, and as TRACE's message */
	if (action == SECCOMP_RET_ERRNO || action == SECCOMP_RET_TRACE)
		return action | (has_errno ? errno_ret : EPERM);
	return action;
}

static uint32_t rule_ret(const struct scmp_rule *r)
{
	return ret_of(r->action, r->has_errno, r->errno_ret);
}

/* NULL too for an arch whose column this build left out (SYSTAB_NATIVE) */
static const struct arch_def *arch_def(uint32_t audit)
{
	for (size_t i = 0; i < LEN(arch_defs); i++)
		if (arch_defs[i].audit == audit)
			return systab_has(arch_defs[i].col) ? &arch_defs[i] : NULL;
	return NULL;
}

static bool listed(const struct seccomp *sc, uint32_t audit)
{
	for (size_t i = 0; i < sc->n_arches; i++)
		if (sc->arches[i] == audit)
			return true;
	return false;
}

/* systab is sorted by name: nine strcmp find one of its some 460 names,
 * 10 us more for Docker's profile than a hash, which was 2 KB of binary. */
static const struct systab_ent *lookup(const char *name)
{
	size_t lo = 0, hi = LEN(systab);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(systab_name(&systab[mid]), name);

		if (!d)
			return &systab[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A list of names for one message line, cut short when it is full. */
struct names { char buf[OCI_ERRMAX - 128]; size_t len, n; };

static void names_add(struct names *l, const char *name)
{
	size_t n = strlen(name);

	if (l->len + n + 8 >= sizeof(l->buf)) {
		if (l->len + 8 < sizeof(l->buf))
			memcpy(l->buf + l->len, ", ...", 6);
		l->len = sizeof(l->buf);
		l->n++;
		return;
	}
	if (l->n++) {
		memcpy(l->buf + l->len, ", ", 2);
		l->len += 2;
	}
	memcpy(l->buf + l->len, name, n + 1);
	l->len += n;
}

/* Every name is looked up once (in the generated table); names no
 * table knows are probably newer than this build: one warning line. */
static void resolve(struct cc *c)
{
	const struct seccomp *sc = c->sc;
	struct names unknown = { .buf = "" };
	size_t k = 0;

	for (size_t i = 0; i < sc->n_rules; i++) {
		for (size_t j = 0; j < sc->rules[i].n_names; j++, k++) {
			const char *name = sc->rules[i].names[j];

			c->rows[k] = lookup(name);
			if (!c->rows[k])
				names_add(&unknown, name);
		}
	}
	if (unknown.n)
		oci_warn("%s: linux.seccomp: unknown syscalls skipped: %s", c->path, unknown.buf);
}

/* Profile checks that need the whole profile. A NOTIFY listener is only
 * reachable after ocimin has sent it with sendmsg: NOTIFY there or as
 * the default would block the container's init on itself. */
static int check_profile(const struct cc *c)
{
	const struct seccomp *sc = c->sc;

	if (sc->default_action == SECCOMP_RET_USER_NOTIF)
		return oci_err("%s: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action", c->path);
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct scmp_rule *r = &sc->rules[i];

		if (r->action != SECCOMP_RET_USER_NOTIF)
			continue;
		if (!sc->listener_path)
			return oci_err("%s: linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY in syscalls[%zu]", c->path, i);
		for (size_t j = 0; j < r->n_names; j++)
			if (!strcmp(r->names[j], "sendmsg"))
				return oci_err("%s: linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY on sendmsg: ocimin sends the listener with it", c->path, i);
	}
	return 0;
}

/* ---- from names to ranges of syscall numbers ------------------------- */

static uint32_t slot(const struct arch_def *a, uint32_t nr)
{
	return a->seg && nr >= a->seg ? nr - a->seg + NR_SPAN : nr - a->base;
}

static void add(struct cc *c, uint32_t nr, const struct arch_def *a, size_t i, size_t j)
{
	uint32_t *head = &c->heads[slot(a, nr)];

	c->ents[c->n_ents] = (struct ent){ i, j, *head };
	*head = c->n_ents++;
}

/* The names of the rules, bucketed by syscall number on one column of
 * systab; x86_64 takes x32's too (x32 syscalls are x86_64 ones with
 * X32_BIT set). Walked backwards so each list is in profile order. */
static void gather(struct cc *c, const struct arch_def *a)
{
	const struct seccomp *sc = c->sc;
	bool x32 = c->x32 && a->audit == AUDIT_ARCH_X86_64;
	size_t k = 0;

	for (size_t i = 0; i < sc->n_rules; i++)
		k += sc->rules[i].n_names;
	memset(c->heads, 0xff, (a->seg ? 2 : 1) * NR_SPAN * sizeof(*c->heads));
	c->n_ents = 0;
	for (size_t i = sc->n_rules; i-- > 0;) {
		for (size_t j = sc->rules[i].n_names; j-- > 0;) {
			const struct systab_ent *row = c->rows[--k];

			if (!row)
				continue;
			if (systab_nr(row, a->col) >= 0)
				add(c, systab_nr(row, a->col), a, i, j);
			if (x32 && systab_nr(row, SYSTAB_X32) >= 0)
				add(c, systab_nr(row, SYSTAB_X32), a, i, j);
		}
	}
}

/* Names other arches have but a lacks (chown32 on x86_64): normal in a
 * profile made for several arches, so only a debug line. */
static void debug_missing(const struct cc *c, const struct arch_def *a)
{
	bool x32 = c->x32 && a->audit == AUDIT_ARCH_X86_64;
	struct names l = { .buf = "" };
	size_t k = 0;

	for (size_t i = 0; i < c->sc->n_rules; i++)
		for (size_t j = 0; j < c->sc->rules[i].n_names; j++, k++)
			if (c->rows[k] && systab_nr(c->rows[k], a->col) < 0 &&
			    !(x32 && systab_nr(c->rows[k], SYSTAB_X32) >= 0))
				names_add(&l, systab_name(c->rows[k]));
	if (l.n)
		oci_debug("linux.seccomp: no such syscalls on %s, skipped there: %s", a->name, l.buf);
}

static void push(struct cc *c, uint32_t lo, uint32_t ret, uint32_t kept, uint32_t n_kept)
{
	struct leaf *last = c->n_leaves ? &c->leaves[c->n_leaves - 1] : NULL;

	if (last && !last->n_kept && !n_kept && last->ret == ret)
		return;
	c->leaves[c->n_leaves++] = (struct leaf){ lo, ret, kept, n_kept };
}

/* The leaf of syscall nr, whose ents start at e. Rules with the default
 * action are left out, as runc leaves them out (libseccomp refuses
 * them). Then a rule without args decides alone (the first one; another
 * with a different action is a conflict, as in libseccomp), else the
 * rules with args do, in profile order. */
static int decide(struct cc *c, uint32_t nr, uint32_t e)
{
	const struct scmp_rule *rules = c->sc->rules, *plain = NULL;
	uint32_t first = c->n_kept, plain_e = NONE;

	for (; e != NONE; e = c->ents[e].next) {
		const struct ent *en = &c->ents[e];
		const struct scmp_rule *r = &rules[en->rule];

		if (rule_ret(r) == c->def)
			continue;
		if (r->n_args == 0 && !plain) {
			plain = r;
			plain_e = e;
		} else if (r->n_args == 0 && rule_ret(r) != rule_ret(plain)) {
			return oci_err("%s: linux.seccomp.syscalls[%u]: %s already has another action in syscalls[%u]",
				       c->path, en->rule, r->names[en->name], c->ents[plain_e].rule);
		} else if (r->n_args && (c->n_kept == first || c->kept[c->n_kept - 1] != en->rule)) {
			c->kept[c->n_kept++] = en->rule;
		}
	}
	if (plain) {
		c->n_kept = first;
		push(c, nr, rule_ret(plain), 0, 0);
	} else {
		push(c, nr, c->def, first, c->n_kept - first);
	}
	return 0;
}

/* The leaves of one arch, over all 2^32 numbers, in one or two number
 * spaces (x86_64 and x32, arm and its private calls), each with its own
 * "newer than all named". The first space starts at the arch's base
 * (n64's 5000): the numbers below it are no syscall, the default's. */
static int build_leaves(struct cc *c, const struct arch_def *a)
{
	c->n_leaves = 0;
	c->n_kept = 0;
	for (int s = 0; s < (a->seg ? 2 : 1); s++) {
		uint32_t base = s ? a->seg : a->base;
		uint64_t cur = s ? base : 0, end = a->seg && !s ? a->seg : 1ULL << 32;
		bool named = false;

		if (s && a->audit == AUDIT_ARCH_X86_64 && !c->x32) {
			push(c, X32_BIT, RET_BADARCH, 0, 0);
			continue;
		}
		for (uint32_t k = 0; k < NR_SPAN; k++) {
			uint32_t e = c->heads[s * NR_SPAN + k];

			if (e == NONE)
				continue;
			if (base + k > cur)
				push(c, cur, c->def, 0, 0);
			if (decide(c, base + k, e) < 0)
				return -1;
			cur = (uint64_t)base + k + 1;
			named = true;
		}
		if (cur < end)
			push(c, cur, named && c->enosys ? RET_ENOSYS : c->def, 0, 0);
	}
	return 0;
}

/* ---- the emitter ----------------------------------------------------- */

static label emit(struct cc *c, uint16_t code, uint32_t k, unsigned jt, unsigned jf)
{
	if (c->n == BPF_MAXINSNS) {
		c->full = true;
		return c->n;
	}
	c->n++;
	c->prog[BPF_MAXINSNS - c->n] = (struct sock_filter){ code, (uint8_t)jt, (uint8_t)jf, k };
	return c->n;
}

static label ld(struct cc *c, uint32_t off)
{
	return emit(c, BPF_LD | BPF_W | BPF_ABS, off, 0, 0);
}

static label ret(struct cc *c, uint32_t k)
{
	label at = emit(c, BPF_RET | BPF_K, k, 0, 0);
	size_t i;

	for (i = 0; i < c->n_rets && c->rets[i].k != k; i++)
		;
	if (i == LEN(c->rets))
		i = k % LEN(c->rets);
	else if (i == c->n_rets)
		c->n_rets++;
	c->rets[i].k = k;
	c->rets[i].at = at;
	return at;
}

/* "ret k", shared with an earlier one when a jump from here reaches it. */
static label ret_to(struct cc *c, uint32_t k)
{
	for (size_t i = 0; i < c->n_rets; i++)
		if (c->rets[i].k == k && c->n - c->rets[i].at <= MAX_JUMP)
			return c->rets[i].at;
	return ret(c, k);
}

/* t, or a stepping stone to it if a conditional jump from here cannot
 * reach it: a "ret" is copied (one instruction either way), else "ja". */
static label reach(struct cc *c, label t)
{
	const struct sock_filter *in = &c->prog[BPF_MAXINSNS - t];

	if (c->n - t <= MAX_JUMP)
		return t;
	if (BPF_CLASS(in->code) == BPF_RET)
		return ret(c, in->k);
	return emit(c, BPF_JMP | BPF_JA, c->n - t, 0, 0);
}

/* Places t right after what is emitted next. */
static label fall_to(struct cc *c, label t)
{
	const struct sock_filter *in = &c->prog[BPF_MAXINSNS - t];

	if (t == c->n)
		return t;
	if (BPF_CLASS(in->code) == BPF_RET)
		return ret(c, in->k);
	return emit(c, BPF_JMP | BPF_JA, c->n - t, 0, 0);
}

static label jump(struct cc *c, uint16_t op, uint32_t k, label t, label f)
{
	/* a stepping stone for f may push t out of reach: t once more */
	t = reach(c, t);
	f = reach(c, f);
	t = reach(c, t);
	return emit(c, BPF_JMP | op | BPF_K, k, c->n - t, c->n - f);
}

/* ---- arguments ------------------------------------------------------- */

/* arg >= v (ge) or arg > v, on 64 bits: the high halves decide unless
 * they are equal, then the low halves do. */
static label cmp_wide(struct cc *c, int i, uint64_t v, bool ge, label ok, label no)
{
	uint32_t hi = v >> 32, lo = v;
	uint16_t op = ge ? BPF_JGE : BPF_JGT;
	label t;

	if (ge ? v == 0 : v == UINT64_MAX)
		return ge ? ok : no;
	if (ge ? lo == 0 : lo == UINT32_MAX) {
		/* the low half cannot change the answer */
		jump(c, op, hi, ok, no);
		return ld(c, OFF_HI(i));
	}
	jump(c, op, lo, ok, no);
	t = ld(c, OFF_LO(i));
	if (hi == 0) {
		/* not above 0 is equal to 0 */
		t = jump(c, BPF_JGT, 0, ok, t);
	} else {
		t = jump(c, BPF_JEQ, hi, t, no);
		if (hi != UINT32_MAX)
			jump(c, BPF_JGT, hi, ok, t);
	}
	return ld(c, OFF_HI(i));
}

/* One half of MASKED_EQ, (half & m) == v; nothing when the mask is 0
 * (the caller has checked that v is then 0 too). */
static label masked_half(struct cc *c, uint32_t off, uint32_t m, uint32_t v, label ok, label no)
{
	if (m == 0)
		return ok;
	jump(c, BPF_JEQ, v, ok, no);
	if (m != UINT32_MAX)
		emit(c, BPF_ALU | BPF_AND | BPF_K, m, 0, 0);
	return ld(c, off);
}

/* One condition: jumps to ok when it holds, else to no. NE, LT and LE
 * are EQ, GE and GT with the targets swapped. */
static label cond(struct cc *c, bool wide, const struct scmp_arg *g, label ok, label no)
{
	uint64_t v = g->value, m;
	int op = g->op, i = g->index;
	label t;

	if (op == SCMP_OP_NE || op == SCMP_OP_LT || op == SCMP_OP_LE) {
		t = ok, ok = no, no = t;
		op = op == SCMP_OP_NE ? SCMP_OP_EQ : op == SCMP_OP_LT ? SCMP_OP_GE : SCMP_OP_GT;
	}
	if (!wide)
		v = (uint32_t)v;
	switch (op) {
	case SCMP_OP_EQ:
		t = jump(c, BPF_JEQ, (uint32_t)v, ok, no);
		t = ld(c, OFF_LO(i));
		if (!wide)
			return t;
		jump(c, BPF_JEQ, v >> 32, t, no);
		return ld(c, OFF_HI(i));
	case SCMP_OP_GE:
	case SCMP_OP_GT:
		if (wide)
			return cmp_wide(c, i, v, op == SCMP_OP_GE, ok, no);
		if (op == SCMP_OP_GE ? v == 0 : v == UINT32_MAX)
			return op == SCMP_OP_GE ? ok : no;
		jump(c, op == SCMP_OP_GE ? BPF_JGE : BPF_JGT, v, ok, no);
		return ld(c, OFF_LO(i));
	default:                          /* MASKED_EQ: (arg & value) == valueTwo */
		m = v;
		v = wide ? g->value_two : (uint32_t)g->value_two;
		if ((m & v) != v)
			return no;
		t = masked_half(c, OFF_LO(i), m, v, ok, no);
		if (!wide)
			return t;
		return masked_half(c, OFF_HI(i), m >> 32, v >> 32, t, no);
	}
}

/* ---- the program ----------------------------------------------------- */

static label rule(struct cc *c, bool wide, const struct scmp_rule *r, label fail)
{
	label ok = ret_to(c, rule_ret(r));

	for (size_t k = r->n_args; k-- > 0;)
		ok = cond(c, wide, &r->args[k], ok, fail);
	return ok;
}

static const struct scmp_rule *kept_rule(const struct cc *c, const struct leaf *lf, size_t i)
{
	return &c->sc->rules[c->kept[lf->kept + i]];
}

/* Whether rule r can share one load with r0: both a lone EQ on the same
 * argument (and high half), with the same action. */
static bool same_eq(const struct scmp_rule *r, const struct scmp_rule *r0, bool wide)
{
	return r->n_args == 1 && r->args[0].op == SCMP_OP_EQ && r0->n_args == 1 &&
	       r0->args[0].op == SCMP_OP_EQ && r->args[0].index == r0->args[0].index &&
	       rule_ret(r) == rule_ret(r0) &&
	       (!wide || r->args[0].value >> 32 == r0->args[0].value >> 32);
}

/* Kept rules [j, k) of lf, alike as same_eq says (personality(0),
 * personality(8)...): the argument is loaded once and compared to each. */
static label eq_run(struct cc *c, bool wide, const struct leaf *lf, size_t j, size_t k, label fail)
{
	const struct scmp_rule *r0 = kept_rule(c, lf, j);
	uint32_t i = r0->args[0].index;
	label ok = ret_to(c, rule_ret(r0)), t = fail;

	for (size_t n = k; n-- > j;)
		t = jump(c, BPF_JEQ, (uint32_t)kept_rule(c, lf, n)->args[0].value, ok, t);
	t = ld(c, OFF_LO(i));
	if (!wide)
		return t;
	jump(c, BPF_JEQ, r0->args[0].value >> 32, t, fail);
	return ld(c, OFF_HI(i));
}

static label leaf(struct cc *c, const struct arch_def *a, const struct leaf *lf)
{
	/* x32 is a 32-bit ABI inside x86_64's audit arch */
	bool wide = a->bits == 64 && !(a->audit == AUDIT_ARCH_X86_64 && lf->lo >= X32_BIT);
	label next = ret_to(c, lf->ret);

	for (size_t k = lf->n_kept, j; k > 0; k = j) {
		const struct scmp_rule *r0 = kept_rule(c, lf, k - 1);

		for (j = k - 1; j > 0 && same_eq(kept_rule(c, lf, j - 1), r0, wide); j--)
			;
		if (k - j > 1)
			next = eq_run(c, wide, lf, j, k, next);
		else
			next = rule(c, wide, r0, next);
	}
	return next;
}

/* Binary search on leaves[lo..hi]: "nr >= leaves[mid].lo" splits. */
static label tree(struct cc *c, const struct arch_def *a, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo + 1) / 2;
	label right, left;

	if (lo == hi)
		return leaf(c, a, &c->leaves[lo]);
	right = tree(c, a, mid, hi);
	left = tree(c, a, lo, mid - 1);
	return jump(c, BPF_JGE, c->leaves[mid].lo, right, left);
}

static int arch_block(struct cc *c, const struct arch_def *a, label *entry)
{
	gather(c, a);
	debug_missing(c, a);
	if (build_leaves(c, a) < 0)
		return -1;
	fall_to(c, tree(c, a, 0, c->n_leaves - 1));
	*entry = ld(c, OFF_NR);
	return 0;
}

/* The arches to filter: the native one, and the compat ones listed. */
static int pick_arches(const struct cc *c, const uint32_t *arches,
		       const struct arch_def **defs, size_t *n)
{
	*n = 0;
	if (!arches[0] || !arch_def(arches[0]))
		return oci_err("%s: linux.seccomp: no syscall table for this architecture", c->path);
	for (size_t i = 0; arches[i]; i++) {
		const struct arch_def *a = arch_def(arches[i]);

		if ((i && !listed(c->sc, arches[i])) || !a || a->audit == OCI_ARCH_X32 ||
		    *n == LEN(arch_defs))
			continue;
		defs[(*n)++] = a;
	}
	return 0;
}

static int emit_all(struct cc *c, const uint32_t *arches)
{
	const struct arch_def *defs[LEN(arch_defs)];
	label entry[LEN(arch_defs)], next;
	size_t n;

	if (pick_arches(c, arches, defs, &n) < 0)
		return -1;
	for (size_t b = n; b-- > 0;)
		if (arch_block(c, defs[b], &entry[b]) < 0)
			return -1;
	next = ret_to(c, RET_BADARCH);
	for (size_t b = n; b-- > 0;)
		next = jump(c, BPF_JEQ, defs[b]->audit, entry[b], next);
	fall_to(c, next);
	ld(c, OFF_ARCH);
	if (c->full)
		return oci_err("%s: linux.seccomp: the filter needs more than %d BPF instructions",
			       c->path, BPF_MAXINSNS);
	return 0;
}

/* ---- exported -------------------------------------------------------- */

int seccomp_compile(const struct seccomp *sc, const char *path,
		    const uint32_t *arches, struct sock_fprog *prog)
{
	struct cc c = { .sc = sc, .path = path };
	size_t names = 0, size;
	char *buf;

	prog->len = 0;
	prog->filter = NULL;
	if (!sc->present)
		return 0;
	if (check_profile(&c) < 0)
		return -1;
	for (size_t i = 0; i < sc->n_rules; i++)
		names += sc->rules[i].n_names;
	/* one buffer: the program; per name a row, two ents (x86_64 and x32),
	 * two kept rules and four leaves (a gap and a syscall per ent); the
	 * slots. Only what is used is touched. */
	size = BPF_MAXINSNS * sizeof(*c.prog) + names * sizeof(*c.rows) +
	       (4 * names + 8) * sizeof(*c.leaves) + 2 * names * sizeof(*c.ents) +
	       2 * names * sizeof(*c.kept) + 2 * NR_SPAN * sizeof(*c.heads);
	if (!(buf = malloc(size)))
		return oci_err("%s: linux.seccomp: out of memory", path);
	c.prog = (struct sock_filter *)buf;
	c.rows = (const struct systab_ent **)(c.prog + BPF_MAXINSNS);
	c.leaves = (struct leaf *)(c.rows + names);
	c.ents = (struct ent *)(c.leaves + 4 * names + 8);
	c.kept = (uint32_t *)(c.ents + 2 * names);
	c.heads = c.kept + 2 * names;
	c.def = ret_of(sc->default_action, sc->has_default_errno, sc->default_errno);
	c.enosys = sc->default_action == SECCOMP_RET_ERRNO ||
		   sc->default_action == SECCOMP_RET_TRAP ||
		   sc->default_action == SECCOMP_RET_KILL_THREAD ||
		   sc->default_action == SECCOMP_RET_KILL_PROCESS;
	c.x32 = arches[0] == AUDIT_ARCH_X86_64 && listed(sc, OCI_ARCH_X32);
	resolve(&c);
	if (emit_all(&c, arches) < 0) {
		free(buf);
		return -1;
	}
	memmove(c.prog, c.prog + BPF_MAXINSNS - c.n, c.n * sizeof(*c.prog));
	prog->filter = c.prog;
	prog->len = c.n;
	return 0;
}
