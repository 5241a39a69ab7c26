/*
 * main.c — arhiivard: options, -t and -T, -W for the daemon's own
 * workers (worker.c), then the poll loop (loop.c).
 */
#include <getopt.h>
#include <signal.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/config.h"
#include "daemon.h"
#include "loop.h"
#include "worker.h"

/* Exit status (docs/arhiivard.8). */
#define EXIT_CONFIG	1	/* -t found problems; the home cannot be used */
#define EXIT_FAILURE_	2	/* an operational error */

static void
usage(FILE *f)
{
	fputs("usage: arhiivard [-H HOME] [-c CONFIG] [-t | -T]\n", f);
}

/* libarchive 3.6 crashes on non-ASCII names in the C locale. */
static void
set_locale(void)
{
	if (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(setlocale(LC_CTYPE, NULL), "C") == 0 ||
	    strcmp(setlocale(LC_CTYPE, NULL), "POSIX") == 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

/* -t and -T: the configuration (and file plan) checked or printed. */
static int
check_config(struct daemon *d, int print)
{
	struct arh_problems probs;
	struct arh_config *cfg = NULL;
	struct arh_err err;
	char path[4096];
	size_t i;
	int rc;

	arh_problems_init(&probs);
	daemon_config_name(d, path, sizeof(path));
	rc = arh_config_load(path, d->home_path, &cfg, &probs, &err);
	if (rc != 0) {
		for (i = 0; i < probs.n; i++)
			printf("%s\n", probs.items[i]);
		if (probs.n == 0)
			printf("%s\n", err.msg);
		arh_problems_release(&probs);
		return EXIT_CONFIG;
	}
	rc = loop_check_setup(d, cfg, &probs);
	for (i = 0; i < probs.n; i++)
		printf("%s\n", probs.items[i]);
	if (rc == 0 && print) {
		char *txt = arh_config_format(cfg);

		if (txt == NULL) {
			arh_config_free(cfg);
			return EXIT_FAILURE_;
		}
		fputs(txt, stdout);
		free(txt);
	} else if (rc == 0)
		printf("configuration OK\n");
	arh_problems_release(&probs);
	arh_config_free(cfg);
	return rc == 0 ? 0 : EXIT_CONFIG;
}

int
main(int argc, char **argv)
{
	struct daemon d;
	int c, test = 0, print = 0, work = 0, rc;

	set_locale();
	arh_catalog_init_process();
	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	snprintf(d.doing, sizeof(d.doing), "starting");
	d.seal_fd = -1;
	d.home_path = getenv("ARHIIVAR_HOME");
	while ((c = getopt(argc, argv, "+H:c:tTWh")) != -1) {
		switch (c) {
		case 'H':
			d.home_path = optarg;
			break;
		case 'c':
			d.config_path = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			test = print = 1;
			break;
		case 'W':	/* the daemon's own workers (worker.c) */
			work = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_FAILURE_;
		}
	}
	if (work) {
		if (d.home_path == NULL || *d.home_path == '\0')
			d.home_path = ARH_DEFAULT_HOME;
		setvbuf(stderr, NULL, _IOLBF, 0);
		return worker_main(&d, argc - optind, argv + optind);
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_FAILURE_;
	}
	if (d.home_path == NULL || *d.home_path == '\0')
		d.home_path = ARH_DEFAULT_HOME;
	if (test)
		return check_config(&d, print);
	/* The signals the loop reads from its signalfd, blocked before
	 * anything is opened: a SIGTERM during the start is a clean stop
	 * once the loop runs.  (Not in a worker: -W returned above.) */
	{
		sigset_t mask;

		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGHUP);
		sigaddset(&mask, SIGCHLD);
		sigprocmask(SIG_BLOCK, &mask, NULL);
	}
	/* Output goes to journald or a pipe: one line at a time. */
	setvbuf(stderr, NULL, _IOLBF, 0);
	rc = loop_run(&d);
	free(d.cfg_text);
	pthread_mutex_destroy(&d.lock);
	return rc == 0 ? 0 : EXIT_FAILURE_;
}
