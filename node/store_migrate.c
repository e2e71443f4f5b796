/* node/store_migrate.c - placeholder until its module lands. */
#include "config.h"
extern int lasteri_placeholder_store_migrate;
