# SPDX-License-Identifier: GPL-2.0-or-later
#
# replyguard: the two commands are `make run` and `make test`.
#
#   make deps      install Debian packages the build and tests need
#   make           build modules/replyguard/replyguard.so
#   make test      unit tests (cmocka), the same under ASan+UBSan, a short
#                  fuzz run of every parser, then integration (kamailio + sipp),
#                  on the packaged Kamailio 5.6 and, when its tarball is in
#                  ../shared/kamailio, again on Kamailio 6.1.4 (make k6)
#   make fuzz      the long fuzz run (libFuzzer, FUZZ_LONG s a target)
#   make lint      cppcheck and clang-tidy (part of make test)
#   make unit      the unit tests alone (part of make test), as any user:
#                  needs only gcc, make, cmocka and OpenSSL's headers
#                  (T=entry CASE='*watched*': one suite, the matching cases)
#   make readme    doc/README from doc/replyguard.xml (make test checks it)
#   make run       the demo: kamailio.cfg.sample with sipp destinations
#   make bench     replyguard's cost: micro, end to end, max CPS, callgrind,
#                  then the soak (BENCH_QUICK=1: under 2 minutes, no soak;
#                  BENCH_PARTS=callgrind: the instruction counts alone;
#                  BENCH_PARTS=soak: the soak alone), into bench/results.md
#   make soak      1,000,000 calls, 50,000 destinations through the 4096
#                  table: memory flat, counters exact (bench/soak.sh, about
#                  20 minutes; SOAK_CALLS, SOAK_RATE)
#   make install   copy the module into kamailio's module directory
#   make deb       build/kamailio-replyguard-module_<version>_<arch>.deb
#   make k6        Kamailio 6.1.4 from ../shared/kamailio into build/k6, and
#                  replyguard built against it there
#   make integration-k6  the integration suite again on that Kamailio 6.1.4
#                  (part of make test when ../shared/kamailio has the tarball)
#
# KAMAILIO_SRC=/path builds against your own configured Kamailio tree
# instead of the Debian source package fetched into build/.

MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
MODDIR ?= /usr/lib/$(MULTIARCH)/kamailio/modules
BUILD := $(CURDIR)/build

ifdef KAMAILIO_SRC
COREPATH := $(if $(wildcard $(KAMAILIO_SRC)/src/Makefile.defs),$(KAMAILIO_SRC)/src,$(KAMAILIO_SRC))
else
COREPATH := $(BUILD)/kamailio/src
endif

MODULE := modules/replyguard/replyguard.so

.PHONY: all deps kamailio-src module k6 integration-k6 deb lint readme doc-check unit unit-asan unit-late fuzz-short fuzz integration test run bench soak install clean

all: module

deps:
	@sh scripts/deps.sh

kamailio-src: deps
ifndef KAMAILIO_SRC
	@sh scripts/kamailio-src.sh $(BUILD)/kamailio
endif

module: kamailio-src
	@$(MAKE) --no-print-directory -C modules/replyguard COREPATH=$(COREPATH) \
		$(if $(KAM_LIBDIR),KAM_LIBDIR=$(KAM_LIBDIR)) quiet=silent

# Kamailio 6.1.4 from ../shared/kamailio (K6_TARBALL=FILE K6_SHA256=HEX for
# another),
# SHA-256 checked, with the modules the tests load, into build/k6; and
# replyguard built against it into build/k6/lib64/kamailio/modules/
K6_TARBALL ?= $(wildcard $(CURDIR)/../shared/kamailio/kamailio-6.1.4.tar.gz)
k6: deps
	@K6_TARBALL=$(K6_TARBALL) sh scripts/k6.sh $(CURDIR)

# doc/README is generated from doc/replyguard.xml (Kamailio's docbook
# toolchain); make test fails when the two differ
readme: kamailio-src
	@sh scripts/readme.sh $(COREPATH)

doc-check: kamailio-src
	@sh scripts/readme.sh $(COREPATH) --check

# the unit suites need a C compiler, make, cmocka and OpenSSL's headers,
# and no root: make unit, unit-asan and unit-late check for those (one
# line names what is missing) and install nothing. Under make test, deps
# has installed everything first. T=suite and CASE='pattern' pick
# (tests/unit/Makefile).
UNIT_DEPS := $(if $(filter test,$(MAKECMDGOALS)),deps)

unit: | $(UNIT_DEPS)
	@$(MAKE) --no-print-directory -C tests/unit run

# cppcheck and clang-tidy, configured in the repo (.clang-tidy, the script)
lint: kamailio-src
	@sh scripts/lint.sh $(COREPATH)

unit-asan: | $(UNIT_DEPS)
	@$(MAKE) --no-print-directory -C tests/unit asan

# the unit suites again with the clock past 2^31 and 2^32 ms of uptime
unit-late: | $(UNIT_DEPS)
	@$(MAKE) --no-print-directory -C tests/unit late

# every fuzz target for a short while (FUZZ_SECONDS, 15); `make fuzz`
# runs each for FUZZ_LONG (300) seconds
fuzz-short: deps
	@$(MAKE) --no-print-directory -C tests/fuzz short

fuzz: deps
	@$(MAKE) --no-print-directory -C tests/fuzz long

# every case, then the cases that count replies again with replies
# inspected from tm callbacks (modparam reply_callbacks)
integration: module
	@tests/integration/run_all.sh && tests/integration/run_all.sh --callbacks

# the same on Kamailio 6.1.4 (make k6), when its tarball is there; what
# does not differ by version (unit, ASan, fuzz, lint) runs once, above
integration-k6:
ifneq ($(K6_TARBALL),)
	@$(MAKE) --no-print-directory k6
	@tests/integration/run_all.sh --k6 && tests/integration/run_all.sh --k6 --callbacks
else
	@echo "integration-k6: no ../shared/kamailio/kamailio-6.1.4.tar.gz: Kamailio 6.1 not tested"
endif

test: module lint doc-check unit unit-asan unit-late fuzz-short integration integration-k6

run: module
	@scripts/demo.sh

# BENCH_QUICK=1 for a short run; results in bench/results.md
bench: module
	@bench/run.sh

# the soak alone (make bench runs it last, unless BENCH_QUICK)
soak: module
	@bench/soak.sh

# kamailio-replyguard-module_<version>_<arch>.deb in build/ (debhelper)
deb: module
	@sh scripts/deb.sh

install: module
	install -m 0644 $(MODULE) $(DESTDIR)$(MODDIR)/replyguard.so

clean:
	-@$(MAKE) --no-print-directory -C modules/replyguard \
		COREPATH=$(COREPATH) clean 2>/dev/null
	-@$(MAKE) --no-print-directory -C tests/unit clean
	-@$(MAKE) --no-print-directory -C tests/fuzz clean
