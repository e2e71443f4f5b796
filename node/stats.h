/* node/stats.h - placeholder */
