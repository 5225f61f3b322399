/* cgroup.c - cgroup v2. Until limits are applied here, a config that asks
 * for one is refused rather than run without it. */
#include "ocimin.h"

/* Which linux.resources members are set, by name, for the error. */
static const char *first_limit(const struct resources *r)
{
	if (r->mem_limit != OPT_UNSET || r->mem_reservation != OPT_UNSET ||
	    r->mem_swap != OPT_UNSET || r->mem_kernel != OPT_UNSET ||
	    r->mem_kernel_tcp != OPT_UNSET || r->mem_swappiness != OPT_UNSET ||
	    r->mem_disable_oom_killer)
		return "memory";
	if (r->cpu_shares != OPT_UNSET || r->cpu_quota != OPT_UNSET ||
	    r->cpu_burst != OPT_UNSET || r->cpu_period != OPT_UNSET ||
	    r->cpu_realtime_runtime != OPT_UNSET ||
	    r->cpu_realtime_period != OPT_UNSET || r->cpu_idle != OPT_UNSET ||
	    r->cpu_cpus || r->cpu_mems)
		return "cpu";
	if (r->pids_limit != OPT_UNSET)
		return "pids";
	if (r->blkio_weight != OPT_UNSET || r->blkio_leaf_weight != OPT_UNSET ||
	    r->n_blkio_weight_device || r->n_blkio_throttle[0] ||
	    r->n_blkio_throttle[1] || r->n_blkio_throttle[2] ||
	    r->n_blkio_throttle[3])
		return "blockIO";
	if (r->n_hugepages)
		return "hugepageLimits";
	if (r->net_class_id != OPT_UNSET || r->n_net_priorities)
		return "network";
	if (r->n_rdma)
		return "rdma";
	if (r->n_unified)
		return "unified";
	return NULL;
}

int cgroup_validate(const struct spec *s)
{
	const struct resources *r = &s->resources;
	const char *what = first_limit(r);

	if (what)
		return oci_err("%s: linux.resources.%s: cgroup limits are not supported yet",
			       s->path, what);
	/* the deny-all rule `runc spec` writes asks for nothing ocimin must do */
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct dev_rule *d = &r->devices[i];
		if (d->allow || d->type != 'a' || d->major != -1 || d->minor != -1)
			return oci_err("%s: linux.resources.devices[%zu]: device cgroup rules are not supported yet",
				       s->path, i);
	}
	return 0;
}
