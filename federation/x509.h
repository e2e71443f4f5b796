/* federation/x509.h - placeholder */
