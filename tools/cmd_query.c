#include "config.h"
#include "cmd.h"
#include "util.h"
int
cmd_search(int argc, char **argv)
{
	warnx_("not built yet");
	return 2;
}
int
cmd_stats(int argc, char **argv)
{
	warnx_("not built yet");
	return 2;
}
