// SPDX-License-Identifier: MIT
/*
 * perf_cpu.c - the source of a sampling mode: one perf event per CPU, the
 * software cpu-clock (what works in a VM without hardware counters) at a
 * frequency, each running the mode's program (mode.h, MODE_SOURCE_PERF_CPU).
 * Which threads count is the program's business (the `followed` map with
 * -p or -c, every process otherwise); offline CPUs are skipped.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session_priv.h"

static int perf_open_cpu(int cpu, uint32_t freq)
{
	/*
	 * A fixed period of CPU time (the cpu-clock counts nanoseconds), not
	 * perf's frequency mode, which starts slow and adapts: every sample
	 * then stands for the same time.
	 */
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 1000000000ull / freq,
	};

	return (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* --off-cpu: the program on sched_switch, one link for every CPU. */
static int attach_switch(struct attach_session *s)
{
	int err;

	s->perf_links = calloc(1, sizeof(*s->perf_links));
	if (!s->perf_links)
		return session_err(s, -ENOMEM, "out of memory");
	s->perf_links[0] = bpf_program__attach(s->prog);
	if (!s->perf_links[0]) {
		err = -errno;
		return session_err(s, err, "BPF: the sched_switch tracepoint: %s", strerror(-err));
	}
	s->nr_perf_links = 1;
	return 0;
}

int session_attach_perf_cpus(struct attach_session *s)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, fd, err = 0;

	if (s->opts.profile.off_cpu)
		return attach_switch(s);

	if (ncpu <= 0)
		return session_err(s, -EINVAL, "cannot tell the number of CPUs");
	s->perf_links = calloc((size_t)ncpu, sizeof(*s->perf_links));
	if (!s->perf_links)
		return session_err(s, -ENOMEM, "out of memory");
	for (cpu = 0; cpu < ncpu; cpu++) {
		fd = perf_open_cpu(cpu, s->opts.profile.freq);
		if (fd < 0 && errno == ENODEV)
			continue;	/* offline */
		if (fd < 0) {
			err = -errno;
			return session_err(s, err, "perf event on CPU %d (cpu-clock): %s", cpu,
					   strerror(-err));
		}
		s->perf_links[s->nr_perf_links] = bpf_program__attach_perf_event(s->prog, fd);
		if (!s->perf_links[s->nr_perf_links]) {
			err = -errno;
			close(fd);
			return session_err(s, err, "BPF: sampler on CPU %d: %s", cpu,
					   strerror(-err));
		}
		s->nr_perf_links++;	/* the link owns fd now */
	}
	if (!s->nr_perf_links)
		return session_err(s, -ENODEV, "no CPU takes a cpu-clock perf event");
	return 0;
}

void session_detach_perf_cpus(struct attach_session *s)
{
	int i;

	for (i = 0; i < s->nr_perf_links; i++)
		bpf_link__destroy(s->perf_links[i]);
	free(s->perf_links);
	s->perf_links = NULL;
	s->nr_perf_links = 0;
}
