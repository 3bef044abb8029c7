# Fuzzing the Rust core with cargo-fuzz (libFuzzer, nightly toolchain); targets in fuzz/.
#   make test        runs every target for FUZZ_TEST_SECONDS (default 12 s each) from fresh seeds
#   make fuzz        runs every target for FUZZ_SECONDS (default 300 s each), keeping the corpus
#                    it grows in fuzz/corpus/<target>/ between runs
#   make fuzz FUZZ_TARGETS=verify_differential FUZZ_SECONDS=3600
# Seeds are generated from tests/vectors/ at run time (fuzz/seed_corpus.py), never committed.
# A failure leaves the input in fuzz/artifacts/<target>/; replay it with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
# The core forbids unsafe code, so the default build has no sanitizer and runs several times
# faster; debug assertions (integer overflow checks) stay on. FUZZ_SANITIZER=address for ASan.

TEST_TARGETS += test-fuzz

FUZZ_TARGETS ?= envelope keys signature verify_differential event_json c_abi
FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 12
FUZZ_TOOLCHAIN ?= nightly
FUZZ_SANITIZER ?= none
FUZZ_BUILD_FLAGS = --release --debug-assertions --sanitizer $(FUZZ_SANITIZER)
FUZZ_LIBFUZZER_FLAGS ?= -rss_limit_mb=2048 -timeout=5 -print_final_stats=1
FUZZ_DICT_envelope := fuzz/json.dict
FUZZ_DICT_event_json := fuzz/json.dict
# Through rustup, so it works whatever $(CARGO) points at.
CARGO_FUZZ = rustup run $(FUZZ_TOOLCHAIN) cargo fuzz
FUZZ_WORK := fuzz/target/make

.PHONY: test-fuzz fuzz fuzz-tools fuzz-build

fuzz-tools:
	@command -v python3 >/dev/null || { apt-get update && apt-get install -y python3; }
	@rustup run $(FUZZ_TOOLCHAIN) rustc --version >/dev/null 2>&1 \
	  || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@$(CARGO_FUZZ) --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked

fuzz-build: fuzz-tools
	$(CARGO_FUZZ) build $(FUZZ_BUILD_FLAGS)

# $(1): seconds per target; $(2): corpus directory the fuzzer grows ($$t = the target);
# $(3): read-only seed directory. Prints one summary line per target; on a failure, the
# report and the path of the failing input.
define fuzz_run
	@mkdir -p $(FUZZ_WORK)/logs
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(2) $(3); \
	  dict=$$(case $$t in envelope) echo "-dict=$(FUZZ_DICT_envelope)";; \
	    event_json) echo "-dict=$(FUZZ_DICT_event_json)";; esac); \
	  log=$(FUZZ_WORK)/logs/$$t.log; \
	  if ! $(CARGO_FUZZ) run $(FUZZ_BUILD_FLAGS) $$t $(2) $(3) -- \
	      -max_total_time=$(1) $(FUZZ_LIBFUZZER_FLAGS) $$dict > $$log 2>&1; then \
	    tail -60 $$log; echo "fuzz $$t FAILED (full log: $$log)"; exit 1; \
	  fi; \
	  awk -v t=$$t -v s=$(1) ' \
	    /stat::number_of_executed_units/ {runs=$$2} \
	    /stat::average_exec_per_sec/ {eps=$$2} \
	    /stat::new_units_added/ {units=$$2} \
	    /stat::peak_rss_mb/ {rss=$$2} \
	    END {printf "fuzz %-20s %4d s  %9d runs  %7d exec/s  %5d new units  peak RSS %d MB\n", \
	      t, s, runs, eps, units, rss}' $$log; \
	done
endef

# Fresh seeds and a throw-away corpus each time, so the run takes the same time on every machine.
test-fuzz: fuzz-build
	@rm -rf $(FUZZ_WORK)/seeds $(FUZZ_WORK)/corpus
	python3 fuzz/seed_corpus.py $(FUZZ_WORK)/seeds
	$(call fuzz_run,$(FUZZ_TEST_SECONDS),$(FUZZ_WORK)/corpus/$$t,$(FUZZ_WORK)/seeds/$$t)

fuzz: fuzz-build
	python3 fuzz/seed_corpus.py fuzz/corpus
	$(call fuzz_run,$(FUZZ_SECONDS),fuzz/corpus/$$t,)
