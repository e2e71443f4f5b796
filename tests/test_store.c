#include "config.h"
#include "testmain.h"
static CU_TestInfo none[] = { CU_TEST_INFO_NULL };
static CU_SuiteInfo suites[] = { { "placeholder", NULL, NULL, NULL, NULL, none }, CU_SUITE_INFO_NULL };
int main(void) { return test_run_suites(suites); }
