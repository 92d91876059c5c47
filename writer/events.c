// SPDX-License-Identifier: MIT
/*
 * events.c - text and JSON Lines output of trace records (see events.h).
 */
#include <inttypes.h>
#include <string.h>

#include "decode.h"
#include "events.h"
#include "hist.h"
#include "json.h"
#include "text.h"

/* comm padded to its column; escaped (unpadded) when it holds odd bytes. */
static void write_comm(FILE *out, const char *comm)
{
	const char *c;

	for (c = comm; *c; c++) {
		if (*c < 0x20 || *c > 0x7e || *c == '\\') {
			text_write_escaped(out, comm, strlen(comm), false);
			return;
		}
	}
	fprintf(out, "%-16s", comm);
}

void event_writer__interval(struct event_writer *w, uint64_t now_ns)
{
	if (!w->json)
		fprintf(w->out, "%.3fs:\n", (double)(now_ns - w->t0_ns) / 1e9);
}

void event_writer__header(struct event_writer *w)
{
	if (!w->json)
		fprintf(w->out, "%-12s %-7s %-7s %-16s %s\n", "TIME(s)", "PID", "TID", "COMM",
			"PROBE ARGS");
}

static void write_arg(struct event_writer *w, char fmt, uint64_t v, const char *str,
		      size_t slen)
{
	switch (fmt) {
	case 's':
	case 'S':
		if (w->json)
			json_write_strn(w->out, str, slen);
		else
			text_write_quoted(w->out, str, slen);
		break;
	case 'd':
		fprintf(w->out, "%" PRId64, (int64_t)v);
		break;
	case 'x':
		fprintf(w->out, w->json ? "\"%#" PRIx64 "\"" : "%#" PRIx64, v);
		break;
	default:
		fprintf(w->out, "%" PRIu64, v);
		break;
	}
}

/* JSON: ,"@name":[i,...] after args; nothing when no string was cut. */
static void write_truncated(FILE *out, const char *name, uint16_t truncated, int nr_args)
{
	int a, n = 0;

	for (a = 0; a < nr_args && truncated; a++) {
		if (!(truncated & (1u << a)))
			continue;
		if (!n++)
			fprintf(out, ",\"%s\":[", name);
		else
			fputc(',', out);
		fprintf(out, "%d", a);
	}
	if (n)
		fputc(']', out);
}

/* JSON: [a,b,...]; text: " a b ...". Faulted values are null / <fault>. */
static void write_args(struct event_writer *w, const struct ut_event *ev,
		       const struct site_info *site)
{
	int a, shown = 0;

	if (w->json)
		fputc('[', w->out);
	for (a = 0; a < site->nr_args; a++) {
		size_t slen = 0;
		const char *str;

		if (site->fmt[a] == '-')
			continue;
		fputs(w->json ? (shown ? "," : "") : " ", w->out);
		shown++;
		if (ev->faulted & (1u << a)) {
			/* never a value that was not read */
			fputs(w->json ? "null" : "<fault>", w->out);
			w->faults++;
			continue;
		}
		str = event_str_arg(ev, site, a, &slen);
		write_arg(w, site->fmt[a], ev->args[a], str ? str : "", slen);
		if (!w->json && (ev->truncated & (1u << a)))
			fputs("...", w->out);
	}
	if (w->json)
		fputc(']', w->out);
}

/* JSON: ,"stack":[{frame},...] (+ ,"stack_cut":"why"); nulls where unknown. */
static void json_stack(FILE *out, const struct stack_trace *st)
{
	int i;

	fputs(",\"stack\":[", out);
	for (i = 0; i < st->nr; i++) {
		const struct stack_frame *f = &st->frames[i];

		fprintf(out, "%s{\"ip\":%" PRIu64 ",\"obj\":", i ? "," : "", f->ip);
		json_write_str_or_null(out, f->obj);
		fputs(",\"sym\":", out);
		json_write_str_or_null(out, f->sym);
		fprintf(out, ",\"off\":%" PRIu64 ",\"file\":", f->sym ? f->off : 0);
		json_write_str_or_null(out, f->file);
		if (f->file && f->line)
			fprintf(out, ",\"line\":%d", f->line);
		else
			fputs(",\"line\":null", out);
		if (f->lang) {
			/* a runtime's frame (Java): its language, its method native or not */
			fputs(",\"lang\":", out);
			json_write_str(out, f->lang);
			if (f->cfunc)
				fputs(",\"cfunc\":true", out);
		}
		fputs(f->inlined ? ",\"inlined\":true}" : "}", out);
	}
	fputc(']', out);
	if (st->cut) {
		fputs(",\"stack_cut\":", out);
		json_write_str(out, st->cut);
	}
}

/* Text: one frame a line, indented under the event, innermost first. */
static void text_stack(FILE *out, const struct stack_trace *st)
{
	int i;

	for (i = 0; i < st->nr; i++) {
		const struct stack_frame *f = &st->frames[i];

		if (f->lang) {
			/* a runtime's method: java.util.Arrays.sort [java] at Arrays.java:99 */
			fprintf(out, "    %s%s [%s]", f->sym ? f->sym : "?",
				f->inlined ? " (inlined)" : "", f->lang);
			if (f->file && f->line)
				fprintf(out, " at %s:%d", f->file, f->line);
			else if (f->file)
				fprintf(out, " at %s", f->file);
			fputc('\n', out);
			continue;
		}
		if (f->sym && f->inlined)
			fprintf(out, "    %s (inlined)", f->sym);
		else if (f->sym)
			fprintf(out, "    %s+%#" PRIx64, f->sym, f->off);
		else
			fprintf(out, "    [unknown] %#" PRIx64, f->ip);
		fprintf(out, " (%s)", f->obj ? f->obj : "?");
		if (f->file)
			fprintf(out, " at %s:%d", f->file, f->line);
		fputc('\n', out);
	}
	if (st->cut)
		fprintf(out, "    ... (%s)\n", st->cut);
}

void event_writer__event(struct event_writer *w, const struct ut_event *ev,
			 const struct site_info *site)
{
	event_writer__event_stack(w, ev, site, NULL);
}

void event_writer__event_stack(struct event_writer *w, const struct ut_event *ev,
			       const struct site_info *site, const struct stack_trace *st)
{
	char comm[UT_COMM_LEN + 1];

	event_comm(ev, comm);
	w->events++;
	if (w->json) {
		fprintf(w->out, "{\"type\":\"event\",\"ts\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"comm\":", (uint64_t)ev->ts, ev->pid, ev->tid);
		json_write_str(w->out, comm);
		fputs(",\"probe\":", w->out);
		json_write_str(w->out, site->label);
		fputs(",\"args\":", w->out);
	} else {
		fprintf(w->out, "%-12.6f %-7u %-7u ", (double)(ev->ts - w->t0_ns) / 1e9,
			ev->pid, ev->tid);
		write_comm(w->out, comm);
		fprintf(w->out, " %s", site->label);
	}
	write_args(w, ev, site);
	if (w->json) {
		write_truncated(w->out, "truncated", ev->truncated, site->nr_args);
		if (st)
			json_stack(w->out, st);
		fputs("}\n", w->out);
	} else {
		fputc('\n', w->out);
		if (st)
			text_stack(w->out, st);
	}
	if (w->tl)
		timeline__instant(w->tl, ev, site);
}

void event_writer__slow_header(struct event_writer *w)
{
	if (!w->json)
		fprintf(w->out, "%-12s %-7s %-7s %-16s %10s  %s\n", "TIME(s)", "PID", "TID", "COMM",
			"DURATION", "BEGIN ARGS -> END ARGS");
}

void event_writer__slow(struct event_writer *w, const struct ut_event *end,
			const struct site_info *end_site, const struct ut_event *begin,
			const struct site_info *begin_site, const char *begin_label,
			const struct stack_trace *st)
{
	uint64_t dur = end->ts - begin->ts;
	char comm[UT_COMM_LEN + 1], d[24];

	event_comm(end, comm);
	w->events++;
	if (w->json) {
		fprintf(w->out, "{\"type\":\"slow\",\"ts\":%" PRIu64 ",\"pid\":%u,\"tid\":%u,"
			"\"comm\":", (uint64_t)end->ts, end->pid, end->tid);
		json_write_str(w->out, comm);
		fputs(",\"begin\":", w->out);
		json_write_str(w->out, begin_label);
		fputs(",\"end\":", w->out);
		json_write_str(w->out, end_site->label);
		fprintf(w->out, ",\"dur_ns\":%" PRIu64 ",\"begin_args\":", dur);
		if (begin_site)
			write_args(w, begin, begin_site);
		else
			fputs("null", w->out);	/* not kept: never guessed */
		fputs(",\"end_args\":", w->out);
		write_args(w, end, end_site);
		if (begin_site)
			write_truncated(w->out, "begin_truncated", begin->truncated,
					begin_site->nr_args);
		write_truncated(w->out, "end_truncated", end->truncated, end_site->nr_args);
		if (st)
			json_stack(w->out, st);
		fputs("}\n", w->out);
		return;
	}
	fmt_duration(dur, d, sizeof(d));
	fprintf(w->out, "%-12.6f %-7u %-7u ", (double)(end->ts - w->t0_ns) / 1e9, end->pid,
		end->tid);
	write_comm(w->out, comm);
	fprintf(w->out, " %10s  %s", d, begin_label);
	if (begin_site)
		write_args(w, begin, begin_site);
	else
		fputs(" <args not kept>", w->out);
	fprintf(w->out, " -> %s", end_site->label);
	write_args(w, end, end_site);
	fputc('\n', w->out);
	if (st)
		text_stack(w->out, st);
}

static void sampling_attached(struct event_writer *w, FILE *text_out, double ms)
{
	const struct sampling_info *si = w->sampling;

	if (w->json) {
		fprintf(w->out, "{\"type\":\"attached\",\"cpus\":%d,\"hz\":%u,\"ms\":%.3f}\n",
			si->cpus, si->hz, ms);
		fflush(w->out);
		return;
	}
	if (si->what)
		fprintf(text_out, "usdtrace: %s (%.1f ms)\n", si->what, ms);
	else if (!si->hz)
		fprintf(text_out, "usdtrace: taking each stack as its thread blocks, from "
			"sched_switch (%.1f ms)\n", ms);
	else
		fprintf(text_out, "usdtrace: sampling %d CPU%s at %u Hz%s (%.1f ms)\n", si->cpus,
			si->cpus == 1 ? "" : "s", si->hz, si->blocks ? ", and taking each stack "
			"as its thread blocks, from sched_switch" : "", ms);
	fflush(text_out);
}

/* samples = w->events; lost: the ring's (dropped) and the user side's, by cause */
static void sampling_summary(struct event_writer *w, FILE *text_out, uint64_t dropped)
{
	const struct sampling_info *si = w->sampling;
	uint64_t lost = dropped + si->lost_frames + si->lost_late + si->lost_stack;

	if (w->json) {
		fprintf(w->out, "{\"type\":\"summary\",\"samples\":%" PRIu64 ",\"lost\":%" PRIu64
			",\"lost_ring\":%" PRIu64 ",\"lost_frames\":%" PRIu64 ",\"lost_late\":%"
			PRIu64 ",\"lost_stack\":%" PRIu64 ",\"native_only\":%" PRIu64
			",\"cut\":%" PRIu64 ",\"jit_moved\":%" PRIu64 ",\"cpus\":%d}\n",
			w->events, lost, dropped, si->lost_frames, si->lost_late, si->lost_stack,
			si->native_only, si->cut, si->jit_moved, si->cpus);
		return;
	}
	fprintf(text_out, "usdtrace: %" PRIu64 " sample%s, %" PRIu64 " lost", w->events,
		w->events == 1 ? "" : "s", lost);
	if (lost)
		fprintf(text_out, " (ring full %" PRIu64 ", frames unreadable %" PRIu64
			", before the runtime was read %" PRIu64 ", no user stack %" PRIu64 ")",
			dropped, si->lost_frames, si->lost_late, si->lost_stack);
	if (si->native_only)
		fprintf(text_out, ", %" PRIu64 " of a runtime without a frame layout (native "
			"frames only)", si->native_only);
	if (si->cut)
		fprintf(text_out, ", %" PRIu64 " deeper than %d interpreter frames (the outer "
			"ones shown as the interpreter loop)", si->cut, UT_INTERP_FRAMES);
	if (si->jit_moved)
		fprintf(text_out, ", %" PRIu64 " ending where the JIT had freed or moved the code "
			"(the frames there lost, not named)", si->jit_moved);
	fputc('\n', text_out);
}

void event_writer__attached(struct event_writer *w, FILE *text_out, int probes,
			    int sites, int objects, double ms, const char *object)
{
	if (w->sampling) {
		if (!object)
			sampling_attached(w, text_out, ms);
		return;
	}
	if (w->json) {
		fprintf(w->out, "{\"type\":\"attached\",\"probes\":%d,\"sites\":%d,"
			"\"objects\":%d,\"ms\":%.3f", probes, sites, objects, ms);
		if (object) {
			fputs(",\"object\":", w->out);
			json_write_str(w->out, object);
		}
		fputs("}\n", w->out);
		fflush(w->out);
		return;
	}
	if (object)
		fprintf(text_out, "usdtrace: attached %d probe%s at %d site%s in %s "
			"(%.1f ms)\n", probes, probes == 1 ? "" : "s", sites,
			sites == 1 ? "" : "s", object, ms);
	else
		fprintf(text_out, "usdtrace: attached %d probe%s at %d site%s in %d "
			"object%s (%.1f ms)\n", probes, probes == 1 ? "" : "s", sites,
			sites == 1 ? "" : "s", objects, objects == 1 ? "" : "s", ms);
	fflush(text_out);
}

void event_writer__summary(struct event_writer *w, FILE *text_out, uint64_t dropped,
			   uint64_t filtered, int attached)
{
	if (w->sampling) {
		sampling_summary(w, text_out, dropped);
		return;
	}
	if (w->json) {
		fprintf(w->out, "{\"type\":\"summary\",\"events\":%" PRIu64 ",\"dropped\":%"
			PRIu64 ",\"filtered\":%" PRIu64 ",\"faults\":%" PRIu64, w->events, dropped,
			filtered, w->faults);
		if (w->keyed)
			fprintf(w->out, ",\"overflow\":%" PRIu64, w->overflow);
		fprintf(w->out, ",\"attached\":%d}\n", attached);
		return;
	}
	fprintf(text_out, "usdtrace: %" PRIu64 " event%s, %" PRIu64 " dropped, ", w->events,
		w->events == 1 ? "" : "s", dropped);
	if (w->filtering)
		fprintf(text_out, "%" PRIu64 " filtered, ", filtered);
	if (w->keyed)
		fprintf(text_out, "%" PRIu64 " past --max-keys, ", w->overflow);
	fprintf(text_out, "%" PRIu64 " fault%s, %d site%s attached\n", w->faults,
		w->faults == 1 ? "" : "s", attached, attached == 1 ? "" : "s");
}
