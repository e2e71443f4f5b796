/* tools/output.h - placeholder */
