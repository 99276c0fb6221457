# SPDX-License-Identifier: GPL-2.0
#
# A guest's dmesg less what is not a report against scull, for the checks
# that fail a run on any kernel report ($SCULL_DMESG_BAD in lib.sh):
#
# - KCSAN's reports that name no scull function.  The KCSAN kernel of
#   `make check-debug` runs the whole system under the data-race detector,
#   and the core kernel has races of its own (some benign, some known):
#   only a report that names a scull function in one of its two accesses
#   (a function of its title, or a frame `scull_...+0x` or `[scull]` of an
#   access's stack) is the driver's.  A report is the block between two
#   lines of '=' that starts with "BUG: KCSAN:".  An access's stack ends at
#   a blank line, or where an interrupt entered: the frames below that are
#   the interrupted task's (often scull's, as it is what runs), not the
#   racing access's; and the locks held and the IRQ state that verbose
#   reports list after a stack do not count either.  Another report's
#   header line that another CPU printed in the middle of a KCSAN report
#   is kept, whatever the KCSAN report is.
# - The kernel's notice "GUP no longer grows the stack" and the stack dump
#   that follows it (mm/gup.c's gup_vma_lookup(), since 6.5, at most once
#   an hour): a fault-in of a user buffer just below a stack, which the
#   kernel no longer grows.  scull's read_iter and write_iter fault in the
#   caller's buffer when a copy under the lock comes up short, and
#   trinity's buffers can be there; it is the kernel's notice of what it
#   refused, not a bug report.
#
#   awk -f dmesg-filter.awk               the dmesg less those
#   awk -v mode=list -f dmesg-filter.awk  one line per report or notice:
#                                         "scull TITLE", "other TITLE" or
#                                         "notice TEXT"
{
	line = $0
	sub(/^\[[ 0-9.]+\] /, "", line)
}
# The stack dump after a notice: its header lines and indented frames.
innotice {
	if (line ~ /^(CPU: |Tainted: |Hardware name: |Call [Tt]race:|Workqueue: )/ || line ~ /^[ \t]/)
		next
	innotice = 0
}
!inblock && line ~ /GUP no longer grows the stack/ {
	if (held != "" && mode != "list")
		print held
	held = ""
	innotice = 1
	if (mode == "list") {
		text = line
		sub(/ in [^ ]+ \([0-9]+\):.*/, "", text)
		print "notice " text
	}
	next
}
!inblock && line ~ /^={40,}$/ {
	if (held != "" && mode != "list")
		print held
	held = $0
	next
}
held != "" {
	if (line ~ /^BUG: KCSAN: /) {
		inblock = 1
		block = held "\n" $0
		title = line
		sub(/^BUG: KCSAN: /, "", title)
		ours = title ~ /(^|[ \/])scull/
		instack = 0
		held = ""
		next
	}
	if (mode != "list")
		print held
	held = ""
}
inblock {
	block = block "\n" $0
	# Another report's header, printed by another CPU in the middle of
	# this one, is kept whatever this one is (no KCSAN report has one).
	if (mode != "list" && line ~ /WARNING:|-\[ cut here \]-|Oops|kernel BUG|Call [Tt]race|KASAN:|^BUG: / &&
	    line !~ /^BUG: KCSAN: /)
		print
	if (line ~ / (to|at) 0x[0-9a-f]+ of [0-9]+ bytes by (task|interrupt)|race at unknown origin/)
		instack = 1
	else if (line !~ /^[ \t]/ || line ~ /(^|[ _])(asm_)?sysvec_|interrupt\+0x|_irq\+0x|irq_handler|<\/?IRQ>|softirq/)
		instack = 0
	else if (instack && line ~ /(^|[ \t])scull[a-z0-9_]*\+0x|\[scull\]/)
		ours = 1
	if (line ~ /^={40,}$/) {
		inblock = 0
		if (mode == "list")
			print (ours ? "scull " : "other ") title
		else if (ours)
			print block
	}
	next
}
mode != "list" { print }
END {
	if (held != "" && mode != "list")
		print held
	# A report cut short (the dmesg ended inside it) is kept whole.
	if (inblock) {
		if (mode == "list")
			print (ours ? "scull " : "other ") title
		else
			print block
	}
}
