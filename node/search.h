/* node/search.h - placeholder */
