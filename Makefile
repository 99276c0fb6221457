# SPDX-License-Identifier: GPL-2.0
#
# Native use:   make && sudo ./load.sh
# Other kernel: make KVER=6.12.117+deb12-amd64  (or KDIR=/path/to/build)
# The QEMU bench: make check, make demo (see README.md).

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

check:
	bash scripts/check.sh

demo:
	bash scripts/demo.sh

.PHONY: all modules clean check demo
