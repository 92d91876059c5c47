// SPDX-License-Identifier: MIT
/*
 * perf_cpu.c - the source of a sampling mode: one perf event per CPU, the
 * software cpu-clock (what works in a VM without hardware counters) at a
 * frequency, each running the mode's program (mode.h, MODE_SOURCE_PERF_CPU).
 * Which threads count is the program's business (the `followed` map with
 * -p or -c, every process otherwise); offline CPUs are skipped.
 */
#include <bpf/bpf.h>
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

/* --off-cpu: @prog on sched_switch, one link for every CPU, after the others. */
static int attach_switch(struct attach_session *s, struct bpf_program *prog)
{
	int err;

	if (!s->perf_links) {
		s->perf_links = calloc(1, sizeof(*s->perf_links));
		if (!s->perf_links)
			return session_err(s, -ENOMEM, "out of memory");
	}
	s->perf_links[s->nr_perf_links] = bpf_program__attach(prog);
	if (!s->perf_links[s->nr_perf_links]) {
		err = -errno;
		return session_err(s, err, "BPF: the sched_switch tracepoint: %s", strerror(-err));
	}
	s->nr_perf_links++;
	return 0;
}

/* dump: the task iterator, bound to the threads of the one process. */
static int attach_task_iter(struct attach_session *s)
{
	union bpf_iter_link_info linfo = {};
	LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	int err;

	if (s->opts.nr_pids != 1)
		return session_err(s, -EINVAL, "dump: one process at a time (-p PID)");
	linfo.task.pid = (__u32)s->opts.pids[0];
	opts.link_info = &linfo;
	opts.link_info_len = sizeof(linfo);
	s->perf_links = calloc(1, sizeof(*s->perf_links));
	if (!s->perf_links)
		return session_err(s, -ENOMEM, "out of memory");
	s->perf_links[0] = bpf_program__attach_iter(s->prog, &opts);
	if (!s->perf_links[0]) {
		err = -errno;
		return session_err(s, err, "BPF: a task iterator on PID %d: %s",
				   (int)s->opts.pids[0], strerror(-err));
	}
	s->nr_perf_links = 1;
	return 0;
}

int attach_session__iterate(struct attach_session *s)
{
	char buf[64];
	ssize_t n;
	int fd, err = 0;

	if (!s->opts.profile.dump || s->nr_perf_links != 1)
		return session_err(s, -EINVAL, "dump: no task iterator attached");
	fd = bpf_iter_create(bpf_link__fd(s->perf_links[0]));
	if (fd < 0)
		return session_err(s, -errno, "BPF: the task iterator: %s", strerror(errno));
	/* the program writes to the ring buffer, not here: read() only runs it */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = session_err(s, -errno, "BPF: the task iterator: %s", strerror(errno));
	close(fd);
	return err;
}

int session_attach_perf_cpus(struct attach_session *s)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, fd, err = 0;

	if (s->opts.profile.dump)
		return attach_task_iter(s);
	if (s->opts.profile.off_cpu && !s->switch_prog)
		return attach_switch(s, s->prog);

	if (ncpu <= 0)
		return session_err(s, -EINVAL, "cannot tell the number of CPUs");
	/* a link a CPU, and one for sched_switch (wall time) */
	s->perf_links = calloc((size_t)ncpu + 1, sizeof(*s->perf_links));
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
	return s->switch_prog ? attach_switch(s, s->switch_prog) : 0;
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
