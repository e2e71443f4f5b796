/* tools/sample.h - placeholder */
