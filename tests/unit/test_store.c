/* test_store.c — atomic publication and leftover recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arhiivar/store.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/arh-store.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int
count(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
	return 0;
}

static void
test_publish_is_read_only_and_never_replaces(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	struct stat st;
	char path[128], *tmp;
	int fd, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open(path, &s, &err), 0);
	assert_int_equal(arh_store_tmp_create(s, &tmp, &fd, &err), 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(arh_store_publish(s, tmp, fd, "a.tar", &err), 0);
	free(tmp);
	snprintf(path, sizeof(path), "%s/store/a.tar", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0440);
	assert_int_equal(st.st_size, 3);

	/* A second archive of the same name is refused, the first kept. */
	assert_int_equal(arh_store_tmp_create(s, &tmp, &fd, &err), 0);
	assert_int_equal(write(fd, "xyzw", 4), 4);
	assert_int_equal(arh_store_publish(s, tmp, fd, "a.tar", &err),
	    ARH_EEXIST);
	free(tmp);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(arh_store_list(s, count, &n, &err), 0);
	assert_int_equal(n, 1);	/* the refused temp file is gone too */
	arh_store_free(s);
}

static void
note(void *arg, const char *name)
{
	(void)name;
	(*(int *)arg)++;
}

static void
test_leftovers_skip_live_writers(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	char path[128], *tmp, *tmp2;
	int fd, fd2, removed = 0;
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open(path, &s, &err), 0);
	/* A writer that died: create in a child which exits. */
	pid = fork();
	if (pid == 0) {
		arh_store_tmp_create(s, &tmp2, &fd2, &err);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	/* A live writer: ours, still locked. */
	assert_int_equal(arh_store_tmp_create(s, &tmp, &fd, &err), 0);
	assert_int_equal(arh_store_remove_leftovers(s, 0, note, &removed,
	    &err), 0);
	assert_int_equal(removed, 1);	/* the dead writer's only */
	snprintf(path, sizeof(path), "%s/store/.tmp/%s", dir, tmp);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(arh_store_tmp_busy(s, tmp), 1);
	arh_store_discard(s, tmp, fd);
	assert_int_equal(access(path, F_OK), -1);
	free(tmp);
	arh_store_free(s);
}

static void
test_dead_writer_leftover_is_removed(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	char path[128], *tmp;
	int fd, removed = 0;
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open(path, &s, &err), 0);
	pid = fork();
	if (pid == 0) {
		if (arh_store_tmp_create(s, &tmp, &fd, &err) != 0)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	assert_int_equal(arh_store_remove_leftovers(s, 0, note, &removed,
	    &err), 0);
	assert_int_equal(removed, 1);
	removed = 0;
	assert_int_equal(arh_store_remove_leftovers(s, 0, note, &removed,
	    &err), 0);
	assert_int_equal(removed, 0);
	arh_store_free(s);
}

/* Temporary files live in store/.tmp, never beside the archives: the
 * store's listing sees archives only, and a publish empties .tmp. */
static void
test_temp_files_live_in_their_own_directory(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	char path[128], *tmp;
	int fd, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open(path, &s, &err), 0);
	assert_int_equal(arh_store_writable(s), 1);
	assert_int_equal(arh_store_tmp_create(s, &tmp, &fd, &err), 0);
	snprintf(path, sizeof(path), "%s/store/.tmp/%s", dir, tmp);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(arh_store_exists(s, "b.tar"), 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(arh_store_publish(s, tmp, fd, "b.tar", &err), 0);
	/* Published but not yet done: its writer still holds it. */
	assert_int_equal(arh_store_locked(s, "b.tar"), 1);
	assert_int_equal(arh_store_exists(s, "b.tar"), 1);
	assert_int_equal(arh_store_tmp_busy(s, tmp), 0);	/* renamed */
	assert_int_equal(access(path, F_OK), -1);
	arh_store_done(fd);
	assert_int_equal(arh_store_locked(s, "b.tar"), 0);
	assert_int_equal(arh_store_list(s, count, &n, &err), 0);
	assert_int_equal(n, 1);
	free(tmp);
	arh_store_free(s);
}

/* A leftover beside the archives (homes made before store/.tmp) is found
 * only by the whole-store sweep (catalog reconcile). */
static void
test_old_leftover_needs_the_whole_store_sweep(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	char path[160];
	int fd, removed = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open(path, &s, &err), 0);
	/* pid 1 cannot be ours; a pid that does not exist must be dead. */
	snprintf(path, sizeof(path), "%s/store/.ingest-999999999-ab.tmp", dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0);
	close(fd);
	assert_int_equal(arh_store_remove_leftovers(s, 0, note, &removed,
	    &err), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(arh_store_remove_leftovers(s, 1, note, &removed,
	    &err), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(access(path, F_OK), -1);
	arh_store_free(s);
}

/* Opened read-only, the store creates nothing. */
static void
test_read_only_open_creates_nothing(void **state)
{
	struct arh_store *s;
	struct arh_err err;
	char path[128], *tmp;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/store", dir);
	assert_int_equal(arh_store_open_readonly(path, &s, &err), ARH_EIO);
	assert_int_equal(mkdir(path, 0750), 0);
	assert_int_equal(arh_store_open_readonly(path, &s, &err), 0);
	assert_int_equal(arh_store_writable(s), 0);
	assert_int_not_equal(arh_store_tmp_create(s, &tmp, &fd, &err), 0);
	snprintf(path, sizeof(path), "%s/store/.tmp", dir);
	assert_int_equal(access(path, F_OK), -1);
	arh_store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_publish_is_read_only_and_never_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_leftovers_skip_live_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dead_writer_leftover_is_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_temp_files_live_in_their_own_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_old_leftover_needs_the_whole_store_sweep, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_only_open_creates_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
