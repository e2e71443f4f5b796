#include "config.h"
#include "cmd.h"
#include "util.h"
int
cmd_import(int argc, char **argv)
{
	warnx_("not built yet");
	return 2;
}
int
cmd_export(int argc, char **argv)
{
	warnx_("not built yet");
	return 2;
}
