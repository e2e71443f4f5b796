/* node/search.c - placeholder until its module lands. */
#include "config.h"
extern int lasteri_placeholder_search;
