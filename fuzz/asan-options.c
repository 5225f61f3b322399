/* fuzz/asan-options.c - linked into `make check-asan`'s build of ocimin
 * and of the unit tests only: the sanitizers' defaults for them, so that
 * they hold wherever the environment does not reach (a test that runs
 * ocimin as another user, with env -i, or from a hook). ASAN_OPTIONS and
 * UBSAN_OPTIONS, where set, come on top.
 *
 * detect_leaks=0: ocimin keeps what it parsed until it exits, by design.
 * abort_on_error, halt_on_error: any report fails the run, never just a
 * line on stderr a test may not look at. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=1";
}

const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}
