#include "config.h"
#include "cmd.h"
#include "util.h"
int
cmd_pki(int argc, char **argv)
{
	warnx_("not built yet");
	return 2;
}
