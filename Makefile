# SPDX-License-Identifier: GPL-2.0
#
# Native use:    make && sudo ./load.sh
# Other kernel:  make KVER=6.12.117+deb12-amd64   (or KDIR=/path/to/build)
# Install:       sudo make install   (modules_install, depmod, udev rule)
# QEMU bench:    make check, make demo, make check-debug, make bench
#                (see README.md)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
UDEV_RULES ?= /etc/udev/rules.d/60-scull.rules
MOD_DIR := /lib/modules/$(KVER)/updates

all: modules scullctl

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# SCULLCTL: where to put it (the test builds of other userlands do).
SCULLCTL ?= scripts/scullctl
scullctl: $(SCULLCTL)
$(SCULLCTL): scripts/scullctl.c scull_ioctl.h
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# Install what `make` built (as root): sudo make install.
install:
	@test -f scull.ko || { echo "make install: no scull.ko; run make first" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)
	install -D -m 644 scripts/60-scull.rules $(UDEV_RULES)
	-udevadm control --reload-rules 2>/dev/null

uninstall:
	rm -f $(MOD_DIR)/scull.ko $(MOD_DIR)/scull.ko.xz $(MOD_DIR)/scull.ko.zst \
		$(MOD_DIR)/scull.ko.gz
	depmod -a $(KVER)
	rm -f $(UDEV_RULES)
	-udevadm control --reload-rules 2>/dev/null

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -f scripts/scullctl

check:
	bash scripts/check.sh

check-debug:
	bash scripts/check-debug.sh

demo:
	bash scripts/demo.sh

bench:
	bash bench/run.sh

.PHONY: all modules scullctl install uninstall clean check check-debug demo bench
