# Arhiivar — plain GNU make.  `make demo` and `make check` are all a newcomer
# needs on a fresh Debian 12 machine: both install missing packages first.

VERSION	:= 0.1.0
CC	?= cc
PKGS	:= libarchive libcrypto sqlite3 libmagic jansson inih

# FAULT=1: the fault-injection build of common/fault.h, for `make torture`.
ifeq ($(FAULT),1)
BUILD	?= build-fault$(if $(filter 1,$(SANITIZE)),-san)
FAULTFLAGS := -DARH_FAULT_INJECTION
endif
ifeq ($(SANITIZE),1)
BUILD	?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD	?= build
SANFLAGS :=
endif

WARN	:= -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wvla -Wwrite-strings
ifeq ($(CI),true)
WARN	+= -Werror
endif
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS	?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(FAULTFLAGS) \
	   -Iinclude -Icommon -Iarchiver -DARH_VERSION='"$(VERSION)"' \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring -lcsv -lpthread
# The daemon's own libraries: HTTP, systemd notification, seccomp.
DPKGS	:= libmicrohttpd libsystemd libseccomp
DAEMON_CFLAGS := $(shell pkg-config --cflags $(DPKGS) 2>/dev/null)
DAEMON_LIBS := $(shell pkg-config --libs $(DPKGS) 2>/dev/null)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

LIB_SRC	:= $(wildcard common/*.c) $(wildcard archiver/*.c) $(wildcard policy/*.c)
CLI_SRC	:= $(wildcard tools/arhiivar/*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ	:= $(CLI_SRC:%.c=$(BUILD)/%.o)
# arhiivard: main.c plus its parts; the parts (no main) also go into the
# fuzz targets of the API and the control socket.
DAEMON_SRC := $(wildcard tools/arhiivard/*.c)
DAEMON_PARTS := $(filter-out tools/arhiivard/main.c,$(DAEMON_SRC))
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
DAEMON	:= $(BUILD)/arhiivard
LIB	:= $(BUILD)/libarhiivar.a
BIN	:= $(BUILD)/arhiivar
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

PREFIX	?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc

.PHONY: all deps demo check unit e2e bench fuzz torture clean install \
	policy-alone deb packaged-conf package-test
all: $(BIN) $(DAEMON)

HDRS	:= $(wildcard include/arhiivar/*.h common/*.h archiver/*.h policy/*.h \
	tools/arhiivard/*.h)

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tools/arhiivard/%.o: tools/arhiivard/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DAEMON_CFLAGS) -Itools/arhiivard -c -o $@ $<

$(DAEMON): $(DAEMON_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJ) $(LIB) $(LDLIBS) $(DAEMON_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

# policy/ without archiver/: policy/ and common/ compiled with only
# -Iinclude -Icommon, and the pure-policy tests linked against those objects
# alone (every object, not an archive, so one stray reference to archiver/
# fails the link).  Part of `make check`.
ALONE	:= $(BUILD)/policy-alone
ALONE_SRC := $(wildcard policy/*.c) $(wildcard common/*.c)
ALONE_OBJ := $(ALONE_SRC:%.c=$(ALONE)/%.o)
ALONE_TESTS := $(addprefix $(ALONE)/,test_retention test_terms test_fileplan \
	test_view test_roles test_eligibility)
ALONE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) \
	$(SANFLAGS) $(FAULTFLAGS) -Iinclude -Icommon \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)

$(ALONE)/%.o: %.c $(wildcard include/arhiivar/*.h common/*.h policy/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALONE_CFLAGS) -c -o $@ $<

$(ALONE)/test_%: tests/unit/test_%.c $(ALONE_OBJ)
	$(CC) $(ALONE_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(ALONE_OBJ) $(LDLIBS) \
	    -lcmocka

.SECONDARY: $(ALONE_OBJ)

policy-alone: $(ALONE_TESTS)
	@for t in $(ALONE_TESTS); do $$t >/dev/null 2>&1 || \
	    { echo "policy-alone: $$t failed" >&2; exit 1; }; done

deps:
	@sh tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BIN)

unit: $(UNIT_BIN)
check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) policy-alone
	@sh tests/run.sh $(BUILD) $(if $(filter 1,$(VALGRIND)),valgrind)

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh $(BUILD)

torture: deps
	@$(MAKE) --no-print-directory FAULT=1 all
	@bash tests/torture/run.sh build-fault$(if $(filter 1,$(SANITIZE)),-san)

FUZZ_SECONDS ?= 30
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Icommon -Iarchiver \
	-DARH_VERSION='"$(VERSION)"' -fsanitize=fuzzer,address,undefined \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(LDLIBS)
# The daemon's request handling (HTTP, control socket): with its parts.
build-fuzz/fuzz_api build-fuzz/fuzz_ctl: build-fuzz/fuzz_%: \
    tests/fuzz/fuzz_%.c $(LIB_SRC) $(DAEMON_PARTS)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) $(DAEMON_CFLAGS) -Itools/arhiivard -o $@ $< \
	    $(LIB_SRC) $(DAEMON_PARTS) $(LDLIBS) $(DAEMON_LIBS)
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# The configuration of an installed system's default home
# (ARH_SYSTEM_CONFIG): the binary's own commented template, with the
# control socket in the service's runtime directory, open to the staff
# group the package makes (the daemon checks each caller's roles).
CONF_SOCKET := /run/arhiivar/arhiivard.sock
CONF_GROUP := arhiivar-staff
packaged-conf: $(BUILD)/arhiivar.conf
$(BUILD)/arhiivar.conf: $(BIN) packaging/deb/conf-header.txt
	@rm -rf $(BUILD)/conf-home
	@$(BIN) -H $(BUILD)/conf-home init >/dev/null
	@{ cat packaging/deb/conf-header.txt; sed \
	    -e 's|^#socket = run/arhiivard.sock$$|socket = $(CONF_SOCKET)|' \
	    -e 's|^#socket_group =.*$$|socket_group = $(CONF_GROUP)|' \
	    $(BUILD)/conf-home/arhiivar.conf; } >$@.tmp
	@grep -q '^socket = $(CONF_SOCKET)$$' $@.tmp && \
	    grep -q '^socket_group = $(CONF_GROUP)$$' $@.tmp || \
	    { echo "packaged-conf: no socket lines in the template" >&2; exit 1; }
	@rm -rf $(BUILD)/conf-home
	@mv $@.tmp $@

# The Debian package, built out of the tree (build-deb/) from what git
# tracks; it installs its own build dependencies as `make deps` does.
deb:
	@sh packaging/deb/build.sh $(VERSION)

# The package installed on this machine and tested there (tests/package):
# for a machine without an Arhiivar home, such as CI's.
package-test: deb
	@sh tests/package/run.sh build-deb/arhiivar_$(VERSION)_$$(dpkg --print-architecture).deb

install: all
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/arhiivar
	install -D -m 0755 $(DAEMON) $(DESTDIR)$(PREFIX)/sbin/arhiivard
	install -D -m 0755 tools/tlog-verify $(DESTDIR)$(PREFIX)/share/arhiivar/tlog-verify
	install -D -m 0644 docs/arhiivar.1 $(DESTDIR)$(PREFIX)/share/man/man1/arhiivar.1
	install -D -m 0644 docs/arhiivar.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/arhiivar.conf.5
	install -D -m 0644 docs/arhiivard.8 $(DESTDIR)$(PREFIX)/share/man/man8/arhiivard.8

clean:
	rm -rf build build-* bench-work tests/fuzz/artifacts

# The verification API's handler test links the daemon's parts (no main).
DAEMON_PART_OBJ := $(DAEMON_PARTS:%.c=$(BUILD)/%.o)
$(BUILD)/tests/test_api: tests/unit/test_api.c $(DAEMON_PART_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DAEMON_CFLAGS) -Itools/arhiivard $(ALL_LDFLAGS) \
	    -o $@ $< $(DAEMON_PART_OBJ) $(LIB) $(LDLIBS) $(DAEMON_LIBS) -lcmocka
