#!/bin/sh
. "$TOP_SRCDIR/tests/lib.sh"
t_finish
