/* federation/model_internal.h - placeholder */
