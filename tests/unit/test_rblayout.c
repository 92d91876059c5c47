// SPDX-License-Identifier: MIT
/*
 * test_rblayout.c - the profiler's Ruby 3.1 layout table
 * (lang-adapters/ruby.c) checked with offsetof() against ruby3.1-dev's own
 * rb_mjit_min_header, and the iseq instruction index (succ_index_table)
 * looked up as Ruby builds it: every position's entry is the count of
 * entries starting at or before it.
 */
#include "rb_mjit_min_header-3.1.2.h"
#include <stddef.h>
#include <string.h>

#define HEADER_VERSION	"3.1.2"		/* the header's own name says which */
#include <stdlib.h>

#include "../../lang-adapters/interp.h"
#include "test.h"

#define OFF(field, want, name) \
	CHECK(st, (size_t)(want) == (size_t)(field), name, "%zu, table %u", (size_t)(field), \
	      (unsigned int)(want))

static void test_offsets(struct test_stats *st)
{
	const struct rb_layout *l = rb_layout__find(HEADER_VERSION);
	const struct ut_rb_proc *rb;

	CHECK(st, l != NULL, "layout: one for the headers' " HEADER_VERSION, "none");
	if (!l)
		return;
	rb = &l->proc.rb;
	CHECK(st, l->proc.kind == UT_INTERP_RUBY, "layout: kind ruby", "%u", l->proc.kind);
	OFF(offsetof(rb_execution_context_t, vm_stack), rb->ec_vm_stack, "layout: ec vm_stack");
	OFF(offsetof(rb_execution_context_t, vm_stack_size), rb->ec_vm_stack_size,
	    "layout: ec vm_stack_size");
	OFF(offsetof(rb_execution_context_t, cfp), rb->ec_cfp, "layout: ec cfp");
	CHECK(st, rb->ec_vm_stack_size == rb->ec_vm_stack + 8 && rb->ec_cfp == rb->ec_vm_stack + 16,
	      "layout: vm_stack, its size and cfp lie together (one read)", "%u %u %u",
	      rb->ec_vm_stack, rb->ec_vm_stack_size, rb->ec_cfp);
	OFF(sizeof(rb_control_frame_t), rb->cfp_size, "layout: a control frame's size");
	CHECK(st, rb->cfp_size <= UT_INTERP_FRAME_READ, "layout: a control frame is read whole",
	      "%u", rb->cfp_size);
	OFF(offsetof(rb_control_frame_t, pc), rb->cfp_pc, "layout: cfp pc");
	OFF(offsetof(rb_control_frame_t, iseq), rb->cfp_iseq, "layout: cfp iseq");
	OFF(offsetof(rb_control_frame_t, ep), rb->cfp_ep, "layout: cfp ep");
	OFF(VM_FRAME_MAGIC_MASK, rb->magic_mask, "layout: VM_FRAME_MAGIC_MASK");
	OFF(VM_FRAME_MAGIC_CFUNC, rb->magic_cfunc, "layout: VM_FRAME_MAGIC_CFUNC");
	OFF(VM_FRAME_MAGIC_METHOD, rb->magic_method, "layout: VM_FRAME_MAGIC_METHOD");
	OFF(VM_FRAME_FLAG_FINISH, rb->flag_finish, "layout: VM_FRAME_FLAG_FINISH");
	OFF(-VM_ENV_DATA_INDEX_ME_CREF * 8, 16, "layout: the method entry at ep[-2]");
	OFF(offsetof(rb_iseq_t, body), l->iseq_body, "layout: iseq body");
	OFF(offsetof(struct rb_iseq_constant_body, iseq_encoded), l->body_encoded,
	    "layout: iseq_encoded");
	OFF(offsetof(struct rb_iseq_constant_body, iseq_size), l->body_size, "layout: iseq_size");
	OFF(offsetof(struct rb_iseq_constant_body, location.pathobj), l->body_path,
	    "layout: location.pathobj");
	OFF(offsetof(struct rb_iseq_constant_body, location.label), l->body_label,
	    "layout: location.label");
	OFF(offsetof(struct rb_iseq_constant_body, location.first_lineno), l->body_first_lineno,
	    "layout: location.first_lineno");
	OFF(offsetof(struct rb_iseq_constant_body, insns_info.body), l->body_insns,
	    "layout: insns_info.body");
	OFF(offsetof(struct rb_iseq_constant_body, insns_info.size), l->body_insns_size,
	    "layout: insns_info.size");
	OFF(offsetof(struct rb_iseq_constant_body, insns_info.succ_index_table), l->body_succ,
	    "layout: insns_info.succ_index_table");
	OFF(sizeof(struct iseq_insn_info_entry), l->insn_size, "layout: an insn_info entry");
	OFF(offsetof(struct iseq_insn_info_entry, line_no), 0, "layout: its line_no first");
	OFF(offsetof(rb_method_entry_t, def), l->me_def, "layout: method entry def");
	OFF(offsetof(rb_method_entry_t, owner), l->me_owner, "layout: method entry owner");
	OFF(offsetof(rb_method_definition_t, original_id), l->def_original_id,
	    "layout: definition original_id");
	OFF(offsetof(struct RClass, ptr), l->class_ext, "layout: RClass ptr");
	OFF(offsetof(struct rb_classext_struct, iv_tbl), l->ext_iv_tbl, "layout: classext iv_tbl");
	OFF(offsetof(st_table, entries), l->st_entries, "layout: st_table entries");
	OFF(offsetof(st_table, entries_start), l->st_entries_start, "layout: st entries_start");
	OFF(offsetof(st_table, entries_bound), l->st_entries_bound, "layout: st entries_bound");
	OFF(offsetof(struct RString, as.heap.len), l->str_len, "layout: RString heap len");
	OFF(offsetof(struct RString, as.heap.ptr), l->str_ptr, "layout: RString heap ptr");
	OFF(offsetof(struct RString, as.embed.ary), l->str_embed, "layout: RString embedded");
	OFF(offsetof(struct RArray, as.heap.len), l->ary_len, "layout: RArray heap len");
	OFF(offsetof(struct RArray, as.heap.ptr), l->ary_ptr, "layout: RArray heap ptr");
	OFF(offsetof(struct RArray, as.ary), l->ary_embed, "layout: RArray embedded");
	OFF(tLAST_OP_ID, l->last_op_id, "layout: tLAST_OP_ID");
	OFF(RUBY_ID_SCOPE_SHIFT, l->id_shift, "layout: RUBY_ID_SCOPE_SHIFT");
	OFF(RSTRING_NOEMBED, 0x2000, "layout: RSTRING_NOEMBED (rbframes.c)");
	OFF(RSTRING_EMBED_LEN_SHIFT, 14, "layout: RSTRING_EMBED_LEN_SHIFT (rbframes.c)");
	OFF(RARRAY_EMBED_FLAG, 0x2000, "layout: RARRAY_EMBED_FLAG (rbframes.c)");
	OFF(RARRAY_EMBED_LEN_SHIFT, 15, "layout: RARRAY_EMBED_LEN_SHIFT (rbframes.c)");
	OFF(RUBY_FL_SINGLETON, 0x1000, "layout: FL_SINGLETON (rbframes.c)");
	OFF(sizeof(struct RString), 40, "layout: a String slot (rbframes.c reads 40 bytes)");
}

/* Ruby's succ_index_table_create (iseq.c), for positions @data (ascending). */
static uint8_t *succ_table(int max_pos, const int *data, int size, size_t *len)
{
	const int imm = 54, imm_size = (max_pos < imm ? max_pos + 8 : imm) / 9;
	const int succ_size = (max_pos < imm ? 0 : (max_pos - imm + 511)) / 512;
	uint8_t *t;
	int i, j, k, r = 0;

	*len = 6 * 8 + (size_t)succ_size * 80;
	t = calloc(1, *len);
	for (j = 0; t && j < imm_size; j++) {
		uint64_t v = 0;

		for (i = 0; i < 9; i++) {
			if (r < size && data[r] == j * 9 + i)
				r++;
			v |= (uint64_t)r << (7 * i);
		}
		memcpy(t + 8 * j, &v, 8);
	}
	for (k = 0; t && k < succ_size; k++) {
		uint8_t *b = t + 48 + 80 * k;
		uint64_t ranks = 0;
		uint32_t rank = (uint32_t)r;
		int small = 0;

		memcpy(b, &rank, 4);
		for (j = 0; j < 8; j++) {
			uint64_t bits = 0;

			if (j)
				ranks |= (uint64_t)small << (9 * (j - 1));
			for (i = 0; i < 64; i++) {
				if (r < size && data[r] == k * 512 + j * 64 + i + imm) {
					bits |= (uint64_t)1 << i;
					r++;
				}
			}
			memcpy(b + 16 + 8 * j, &bits, 8);
			small += __builtin_popcountll(bits);
		}
		memcpy(b + 8, &ranks, 8);
	}
	return t;
}

static void test_succ_index(struct test_stats *st)
{
	static const int sizes[] = { 3, 20, 54, 60, 700, 1500 };
	size_t s, len;
	int bad = -1;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int max_pos = sizes[s], data[1600], n = 0, x, want = 0;
		uint8_t *t;

		for (x = 0; x < max_pos; x++) {
			if (x == 0 || (x * 2654435761u) % 5 < 2)
				data[n++] = x;
		}
		t = succ_table(max_pos, data, n, &len);
		for (x = 0; t && x < max_pos && bad < 0; x++) {
			while (want < n && data[want] <= x)
				want++;
			if (rb_succ_index_lookup(t, len, (uint32_t)x) != (uint32_t)want)
				bad = x;
		}
		CHECK(st, t && bad < 0, "succ index: each position's entry, as Ruby's lookup",
		      "iseq_size %d: wrong at %d", max_pos, bad);
		CHECK(st, !t || rb_succ_index_lookup(t, len, (uint32_t)max_pos + 1024) == 0,
		      "succ index: a position past the table read is 0, not a read past it",
		      "iseq_size %d", max_pos);
		free(t);
	}
}

int main(void)
{
	struct test_stats st = {};

	test_offsets(&st);
	test_succ_index(&st);
	return st.failed ? 1 : 0;
}
