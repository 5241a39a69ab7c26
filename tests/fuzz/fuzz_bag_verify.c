/*
 * fuzz_bag_verify.c — the archive reader behind verify, restore and
 * catalog rebuild, fed hostile tars: huge sizes, links, "..", absolute
 * paths, duplicate names, bad pax headers, truncated members.
 *
 * The reader runs with inline hashing (arh_bag_verify_flags): the same
 * code and checks as arh_bag_verify(), with the same digests, but no two
 * hashing threads and 8 MiB of buffers per input, which held the target
 * to a few hundred inputs a second.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arhiivar/verify.h"
#include "bag_read.h"
#include "dualhash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	struct arh_verify_report rep;
	struct arh_err err;
	int fd;

	if (!once) {
		setlocale(LC_CTYPE, "C.UTF-8");
		once = 1;
	}
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    lseek(fd, 0, SEEK_SET) == 0) {
		arh_err_clear(&err);
		arh_bag_verify_flags(fd, NULL, ARH_DUALHASH_INLINE, &rep, &err);
		arh_verify_report_release(&rep);
	}
	close(fd);
	return 0;
}
