# SPDX-License-Identifier: MIT
# usdtrace build. Everything is written under $(OUTPUT) (default build/).
#
#   make            build/usdtrace, the samples, the Java workloads and the
#                   bench programs (everything the tests and demos run)
#   make demo       install what is missing, build, list the bundled sample
#   make check      install what is missing, build, run every test
#   make fuzz       build and run the libFuzzer targets (FUZZ_SECONDS each)
#   make bench      benchmarks, printed as ratios (docs/benchmarks.md)
#   make asan       every test on an AddressSanitizer + UBSan build
#   make deb        the Debian package, in $(OUTPUT)/deb (lintian-checked)
#   make V=1        show the commands
.DELETE_ON_ERROR:
# keep the BPF object between the skeleton and the next build
.SECONDARY:

OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
FUZZ_SECONDS ?= 60

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
CFLAGS ?= -O2 -g
# the programs traced by tests and demos keep plain flags, even in `make asan`
SAMPLE_CFLAGS := -O2 -g
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -DMULTIARCH_TRIPLET='"$(MULTIARCH)"' -MMD -MP
# libbpf linked statically: one shared object less to map at every start
# (list must start as fast as readelf), and the binary does not depend on
# the host's libbpf version.
LDLIBS := -Wl,-Bstatic -lbpf -Wl,-Bdynamic -ldw -lelf -lz -lyaml -lcrypt
ARCH := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
BPF_OUT := $(OUTPUT)/bpf
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

SDT_SRCS := sdt/argspec.c sdt/note.c sdt/elf.c
EXPR_SRCS := expr/expr.c
SQL_SRCS := sql/normalize.c
UTIL_SRCS := util/units.c util/webconfig.c
ARCH_SRCS := arch/regs.c
PROC_SRCS := proc/child.c proc/targets.c
PROF_SRCS := prof/sampler.c
AGG_SRCS := agg/hist.c agg/key.c agg/keytab.c agg/latency.c agg/methods.c agg/profile.c agg/rpc.c \
	    agg/vhist.c
STACK_SRCS := stack/stack.c stack/symcache.c stack/inline.c stack/perfmap.c
ATTACH_SRCS := attach/objects.c attach/probe_spec.c attach/spec.c attach/symbols.c \
	       attach/messenger.c attach/modes.c attach/mode_trace.c attach/mode_count.c \
	       attach/mode_latency.c attach/mode_calls.c attach/mode_hist.c attach/load.c \
	       attach/site_table.c attach/object_table.c attach/match.c attach/preds.c \
	       attach/usdt_sites.c attach/discover.c attach/uprobe.c attach/dlhook.c \
	       attach/session.c attach/session_read.c attach/key_layout.c \
	       attach/mode_profile.c attach/perf_cpu.c attach/proctree.c \
	       attach/mode_stmts.c
WRITER_SRCS := writer/calls.c writer/db.c writer/decode.c writer/events.c writer/flamegraph.c \
	       writer/flow.c writer/folded.c writer/hist.c writer/json.c writer/keys.c \
	       writer/latency.c writer/metrics.c writer/profile.c writer/prom.c writer/sites.c writer/stat.c \
	       writer/text.c writer/timeline.c writer/vhist.c writer/rpc.c
CLI_SRCS := cli/main.c cli/commands.c cli/options.c cli/report.c cli/runner.c cli/lang_cmd.c \
	    cli/serve.c cli/event_stacks.c cli/cmd_list.c cli/cmd_trace.c cli/cmd_count.c \
	    cli/stack_count.c cli/cmd_latency.c cli/cmd_hist.c cli/cmd_calls.c cli/queries.c \
	    cli/cmd_flow.c cli/cmd_stat.c cli/db_stat.c cli/cmd_profile.c cli/cmd_dump.c \
	    cli/sampling.c cli/rpcs.c
LANG_SRCS := lang-adapters/lang.c lang-adapters/python.c lang-adapters/java.c \
	     lang-adapters/ruby.c lang-adapters/php.c lang-adapters/postgresql.c \
	     lang-adapters/db_stat.c lang-adapters/rt_stat.c lang-adapters/runtime.c \
	     lang-adapters/statements.c lang-adapters/pyframes.c \
	     lang-adapters/rbframes.c lang-adapters/phpframes.c lang-adapters/interp.c \
	     lang-adapters/procmem.c lang-adapters/framecache.c lang-adapters/libvirt.c \
	     lang-adapters/rpc_names.c lang-adapters/qmp.c lang-adapters/jvm.c \
	     lang-adapters/vmstructs.c lang-adapters/jvmstack.c lang-adapters/jvmstream.c
SRCS := $(SDT_SRCS) $(EXPR_SRCS) $(SQL_SRCS) $(UTIL_SRCS) $(ARCH_SRCS) $(AGG_SRCS) $(PROC_SRCS) $(STACK_SRCS) $(ATTACH_SRCS) $(WRITER_SRCS) $(PROF_SRCS) $(CLI_SRCS) \
	$(LANG_SRCS)
OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(SRCS))
# what unit tests link: everything but the CLI and the BPF loader
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(SDT_SRCS) $(EXPR_SRCS) $(SQL_SRCS) $(UTIL_SRCS) \
	      $(AGG_SRCS) \
	      $(PROC_SRCS) \
	      stack/perfmap.c stack/symcache.c stack/inline.c attach/objects.c attach/key_layout.c attach/proctree.c \
	      attach/probe_spec.c $(ARCH_SRCS) attach/spec.c attach/symbols.c writer/json.c \
	      writer/keys.c writer/text.c \
	      writer/hist.c writer/vhist.c writer/folded.c writer/prom.c $(LANG_SRCS))

UNIT_TESTS := test_argspec test_note test_objects test_json test_probe_spec test_spec \
	      test_hist test_lang test_regs test_expr test_sql test_perfmap test_prom \
	      test_keys test_child test_agg test_pylayout test_pglayout test_units test_webconfig \
	      test_rblayout test_phplayout test_rpc test_jvm test_symindex
UNIT_BINS := $(addprefix $(OUTPUT)/tests/,$(UNIT_TESTS))

FUZZERS := fuzz_note fuzz_argspec fuzz_expr fuzz_sql fuzz_units fuzz_probe_spec fuzz_perfmap \
	   fuzz_webconfig fuzz_elf fuzz_qmp fuzz_jvm
FUZZ_BINS := $(addprefix $(OUTPUT)/fuzz/,$(FUZZERS))

.PHONY: all setup demo check test unit fuzz fuzzers bench clean samples asan workloads deb
all: $(OUTPUT)/usdtrace samples workloads $(OUTPUT)/bench/hot $(OUTPUT)/bench/hot5

$(OUTPUT)/usdtrace: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUTPUT)/obj/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -I$(BPF_OUT) $(CFLAGS) $(WARNINGS) -c -o $@ $<

# ---- BPF: vmlinux.h -> .bpf.o -> .skel.h ------------------------------------
$(BPF_OUT)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

BPF_MODES := trace count latency calls hist profile stmts
BPF_SKELS := $(patsubst %,$(BPF_OUT)/%.skel.h,$(BPF_MODES) follow)

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(BPF_OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(BPF_OUT) -Ibpf \
		-Wall -Werror -c $< -o $@

$(BPF_OUT)/%.skel.h: $(BPF_OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(patsubst %.c,$(OUTPUT)/obj/%.o,$(ATTACH_SRCS)): $(BPF_SKELS)

# ---- samples ---------------------------------------------------------------
SAMPLE_OUT := $(OUTPUT)/samples
samples: $(SAMPLE_OUT)/sample $(SAMPLE_OUT)/libsamplelib.so $(SAMPLE_OUT)/server $(SAMPLE_OUT)/slow \
	 $(SAMPLE_OUT)/deep $(SAMPLE_OUT)/deep-fp $(SAMPLE_OUT)/thrower \
	 $(SAMPLE_OUT)/fast $(SAMPLE_OUT)/account $(SAMPLE_OUT)/spin

$(SAMPLE_OUT)/fast: samples/fast.c sdt/include/usdtrace/sdt.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Isdt/include $(SAMPLE_CFLAGS) $(WARNINGS) -o $@ $<

$(SAMPLE_OUT)/account: samples/account.cpp sdt/include/usdtrace/sdt.h
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CXX) -Isdt/include $(SAMPLE_CFLAGS) -Wall -Wextra -Werror -o $@ $<

# dtrace writes temporary files into its working directory: run it in build/
$(SAMPLE_OUT)/sample_probes.h: samples/sample_probes.d
	$(call msg,DTRACE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd $(dir $@) && CFLAGS="$(SAMPLE_CFLAGS)" dtrace -C -h -s $(abspath $<) -o $(notdir $@)

$(SAMPLE_OUT)/sample_probes.o: samples/sample_probes.d
	$(call msg,DTRACE,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cd $(dir $@) && CFLAGS="$(SAMPLE_CFLAGS)" dtrace -C -G -s $(abspath $<) -o $(notdir $@)

$(SAMPLE_OUT)/%.o: samples/%.c $(SAMPLE_OUT)/sample_probes.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -I$(SAMPLE_OUT) $(SAMPLE_CFLAGS) $(WARNINGS) -c -o $@ $<

$(SAMPLE_OUT)/sample: $(SAMPLE_OUT)/sample.o $(SAMPLE_OUT)/sample_request.o \
		      $(SAMPLE_OUT)/sample_probes.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAMPLE_CFLAGS) -o $@ $^ -ldl

$(SAMPLE_OUT)/server: samples/server.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SAMPLE_CFLAGS) $(WARNINGS) -o $@ $< -lpthread

# built as Debian builds its binaries: no frame pointers
$(SAMPLE_OUT)/deep: samples/deep.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -g -O2 -fomit-frame-pointer $(WARNINGS) -o $@ $<

# ... and with frame pointers, where the kernel's walk (--stack-mode fp) works
$(SAMPLE_OUT)/deep-fp: samples/deep.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -g -O2 -fno-omit-frame-pointer $(WARNINGS) -o $@ $<

$(SAMPLE_OUT)/spin: samples/spin.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -g -O2 -fomit-frame-pointer $(WARNINGS) -o $@ $< -lpthread

$(SAMPLE_OUT)/thrower: samples/thrower.cpp
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CXX) -g -O2 -fomit-frame-pointer -Wall -Wextra -Werror -o $@ $<

$(SAMPLE_OUT)/slow: samples/slow.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SAMPLE_CFLAGS) $(WARNINGS) -o $@ $<

$(SAMPLE_OUT)/libsamplelib.so: samples/samplelib.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SAMPLE_CFLAGS) $(WARNINGS) -fPIC -shared -o $@ $<

$(OUTPUT)/bench/hot: bench/hot.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(SAMPLE_CFLAGS) $(WARNINGS) -o $@ $<

$(OUTPUT)/bench/hot5: bench/hot.c sdt/include/usdtrace/sdt.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -DHOT_USDTRACE_HEADER -Isdt/include $(SAMPLE_CFLAGS) $(WARNINGS) \
		-o $@ $<

# The Java workloads the docs' examples run (-cp build/workloads Work)
WORKLOAD_OUT := $(OUTPUT)/workloads
workloads: $(WORKLOAD_OUT)/Work.class $(WORKLOAD_OUT)/Idle.class $(WORKLOAD_OUT)/ProfileApp.class \
	   $(WORKLOAD_OUT)/Sleeper.class $(WORKLOAD_OUT)/Loop.class

$(WORKLOAD_OUT)/%.class: tests/workloads/%.java
	$(call msg,JAVAC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)javac -d $(WORKLOAD_OUT) $<

# ---- tests -----------------------------------------------------------------
$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# CPython's own headers say where its structs keep what the profiler reads
$(OUTPUT)/tests/test_pylayout: tests/unit/test_pylayout.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -I/usr/include/python3.11 $(CFLAGS) -Wall -Wextra -Werror \
		-o $@ $< $(LIB_OBJS) $(LDLIBS)

# ... Ruby's (ruby3.1-dev: the MJIT header holds the VM's structs, declares static
# functions it never defines, and links libruby) ...
RUBY_ARCH_INC := $(lastword $(sort $(wildcard /usr/include/x86_64-linux-gnu/ruby-3.1.0)))
$(OUTPUT)/tests/test_rblayout: tests/unit/test_rblayout.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)test -n "$(RUBY_ARCH_INC)" || { echo "ruby3.1-dev: not installed (scripts/setup.sh installs it)"; exit 1; }
	$(Q)$(CC) $(CPPFLAGS) -isystem $(RUBY_ARCH_INC) $(CFLAGS) -Wall -Wextra -Werror \
		-Wno-unused-function -o $@ $< $(LIB_OBJS) $(LDLIBS) -lruby-3.1

# ... PHP's (php8.2-dev's Zend headers) ...
PHP_INC := $(lastword $(sort $(wildcard /usr/include/php/2022*)))
$(OUTPUT)/tests/test_phplayout: tests/unit/test_phplayout.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)test -n "$(PHP_INC)" || { echo "php8.2-dev: not installed (scripts/setup.sh installs it)"; exit 1; }
	$(Q)$(CC) $(CPPFLAGS) -isystem $(PHP_INC) -isystem $(PHP_INC)/main -isystem $(PHP_INC)/Zend \
		-isystem $(PHP_INC)/TSRM $(CFLAGS) -Wall -Wextra -Werror -o $@ $< $(LIB_OBJS) $(LDLIBS)

# ... and PostgreSQL's (postgresql-server-dev) where pg_stat_statements' figures are
PG_SERVER_INC := $(lastword $(sort $(wildcard /usr/include/postgresql/*/server)))
$(OUTPUT)/tests/test_pglayout: tests/unit/test_pglayout.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)test -n "$(PG_SERVER_INC)" || { echo "postgresql-server-dev-*: not installed (scripts/setup.sh installs it)"; exit 1; }
	$(Q)$(CC) $(CPPFLAGS) -isystem $(PG_SERVER_INC) $(CFLAGS) -Wall -Wextra -Werror \
		-o $@ $< $(LIB_OBJS) $(LDLIBS)

unit: $(UNIT_BINS)

setup:
	$(Q)bash scripts/setup.sh

test: all unit fuzzers
	$(Q)OUTPUT=$(OUTPUT) bash tests/run.sh

# the fuzzers, built to replay their committed corpus in make check
fuzzers: $(FUZZ_BINS)

check: setup
	$(Q)$(MAKE) --no-print-directory test

demo: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/demo.sh $(OUTPUT)

# ---- fuzzing (clang libFuzzer) ---------------------------------------------
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(OUTPUT)/fuzz/fuzz_expr: tests/fuzz/fuzz_expr.c $(EXPR_SRCS) expr/expr.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< $(EXPR_SRCS)

$(OUTPUT)/fuzz/fuzz_sql: tests/fuzz/fuzz_sql.c $(SQL_SRCS) sql/normalize.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< $(SQL_SRCS)

$(OUTPUT)/fuzz/fuzz_probe_spec: tests/fuzz/fuzz_probe_spec.c attach/probe_spec.c $(EXPR_SRCS) \
				 sdt/note.c sdt/argspec.c attach/probe_spec.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< attach/probe_spec.c \
		$(EXPR_SRCS) sdt/note.c sdt/argspec.c

$(OUTPUT)/fuzz/fuzz_perfmap: tests/fuzz/fuzz_perfmap.c stack/perfmap.c stack/perfmap.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< stack/perfmap.c

$(OUTPUT)/fuzz/fuzz_units: tests/fuzz/fuzz_units.c util/units.c util/units.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< util/units.c

$(OUTPUT)/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c $(SDT_SRCS) sdt/sdt.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< $(SDT_SRCS) -lelf

$(OUTPUT)/fuzz/fuzz_webconfig: tests/fuzz/fuzz_webconfig.c util/webconfig.c util/webconfig.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< util/webconfig.c -lyaml

$(OUTPUT)/fuzz/fuzz_qmp: tests/fuzz/fuzz_qmp.c lang-adapters/qmp.c lang-adapters/qmp.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< lang-adapters/qmp.c

$(OUTPUT)/fuzz/fuzz_jvm: tests/fuzz/fuzz_jvm.c lang-adapters/jvmstream.c lang-adapters/jvm.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< lang-adapters/jvmstream.c

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(SDT_SRCS) sdt/sdt.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(WARNINGS) -o $@ $< sdt/argspec.c sdt/note.c

# A finding fails the run, named and kept ($(OUTPUT)/fuzz/NAME-crash-...):
# add it to tests/fuzz/corpus/NAME with the fix, and make check replays it.
FUZZ_CORPUS ?= tests/fuzz/corpus
fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZERS); do \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		$(OUTPUT)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(OUTPUT)/fuzz/$$f- \
			$(OUTPUT)/fuzz/corpus-$$f $(FUZZ_CORPUS)/$$f > $(OUTPUT)/fuzz/$$f.log 2>&1; \
		rc=$$?; tail -12 $(OUTPUT)/fuzz/$$f.log; \
		[ $$rc -eq 0 ] || { echo "fuzz: $$f found a failure (exit $$rc): input" \
			"$$(sed -n 's/.*Test unit written to //p' $(OUTPUT)/fuzz/$$f.log | tail -1)," \
			"log $(OUTPUT)/fuzz/$$f.log"; exit 1; }; \
	done

# Every test again on an AddressSanitizer + UBSan build, in build-asan/.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	      -fno-sanitize-recover=all
asan: setup
	$(Q)$(MAKE) --no-print-directory OUTPUT=build-asan CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" all unit
	$(Q)OUTPUT=build-asan USDTRACE_ASAN=1 ASAN_OPTIONS=detect_leaks=1 bash tests/run.sh

bench: all
	$(Q)python3.11 scripts/bench.py $(OUTPUT)

# The package is built from a copy of the tree's files (tracked and new,
# not ignored) in $(OUTPUT)/deb, where dpkg-buildpackage leaves the .deb.
VERSION := $(shell sed -n 's/^\#define USDTRACE_VERSION "\(.*\)"/\1/p' cli/main.c)
DEB_DIR := $(OUTPUT)/deb
deb:
	$(call msg,DEB,$(DEB_DIR)/usdtrace_$(VERSION)_*.deb)
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/usdtrace-$(VERSION)
	$(Q)git ls-files -co --exclude-standard | tar -cf - -T - | \
		tar -xf - -C $(DEB_DIR)/usdtrace-$(VERSION)
	$(Q)cd $(DEB_DIR)/usdtrace-$(VERSION) && \
		dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -30 ../build.log; exit 1; }
	$(Q)lintian --fail-on error $(DEB_DIR)/usdtrace_$(VERSION)_*.deb

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT) build-asan

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(wildcard $(SAMPLE_OUT)/*.d)
