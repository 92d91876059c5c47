/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * followed.h - the --follow map, defined once for the two BPF objects that
 * share it by fd (usdt.bpf.c reads it, follow.bpf.c adds forked children):
 * bpf_map__reuse_fd() needs both definitions to match.
 */
#ifndef USDTRACE_FOLLOWED_H
#define USDTRACE_FOLLOWED_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FOLLOWED_MAX);
	__type(key, __u32);	/* tgid */
	__type(value, __u8);
} followed SEC(".maps");

#endif /* USDTRACE_FOLLOWED_H */
