/* node/store_internal.h - placeholder */
