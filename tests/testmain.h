/*
 * testmain.h - the common main of the CUnit test programs: run the suites
 * with the basic interface, then print the plain "N passed, N failed" line
 * that tools/check sums.  Include once, from the test program's .c.
 */
#ifndef LASTERI_TESTMAIN_H
#define LASTERI_TESTMAIN_H

#include <stdio.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

static int
test_run_suites(CU_SuiteInfo *suites)
{
	unsigned run, failed, suites_failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CU_register_suites: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	suites_failed = CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	printf("\n%u passed, %u failed\n", run - failed, failed + suites_failed);
	return (failed || suites_failed) ? 1 : 0;
}

/* Undoes migrations 8 and up (the transparency log, the witness, the
 * accounts, retired units; 11 rebuilt the outbox in place and needs no
 * undo), for tests that take a database back to an older schema and
 * migrate it again.  The caller deletes the schema_version rows. */
#define TEST_UNDO_MIGRATIONS_8_UP \
	"DROP TRIGGER supervision_records_logged;" \
	"DROP TRIGGER supervision_records_logged_d;" \
	"DROP TABLE tlog_leaves; DROP TABLE tlog_nodes;" \
	"DROP TABLE witnessed; DROP TABLE witness_alarms;" /* 9 */ \
	"DROP TABLE account; DROP TABLE web_audit;" /* 10 */ \
	"DROP TABLE unit_retired;" /* 12 */ \
	"DROP TABLE tlog_checkpoints;"

#endif
