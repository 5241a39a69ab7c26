/* progress.c — the counting side of progress.h: when to call back. */
#include <stddef.h>

#include "arhiivar/progress.h"

static void
call(struct arh_progress_count *pc)
{
	pc->p->cb(pc->p->arg, pc->files, pc->files_total, pc->bytes,
	    pc->bytes_total);
	pc->next_files = pc->files + ARH_PROGRESS_FILES;
	pc->next_bytes = pc->bytes + ARH_PROGRESS_BYTES;
}

void
arh_progress_begin(struct arh_progress_count *pc,
    const struct arh_progress *p, uint64_t files_total, uint64_t bytes_total)
{
	pc->p = p != NULL && p->cb != NULL ? p : NULL;
	pc->files = pc->bytes = 0;
	pc->files_total = files_total;
	pc->bytes_total = bytes_total;
	if (pc->p != NULL)
		call(pc);
}

void
arh_progress_add(struct arh_progress_count *pc, uint64_t files,
    uint64_t bytes)
{
	pc->files += files;
	pc->bytes += bytes;
	if (pc->p != NULL && (pc->files >= pc->next_files ||
	    pc->bytes >= pc->next_bytes))
		call(pc);
}

void
arh_progress_end(struct arh_progress_count *pc)
{
	if (pc->p != NULL)
		call(pc);
}
