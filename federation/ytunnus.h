/*
 * ytunnus.h - Finnish business IDs (Y-tunnus): seven digits, a hyphen and a
 * check digit.  The check digit is mod 11 with weights 7,9,10,5,8,4,2 over the
 * seven digits; remainder 0 gives 0, remainder 1 is never issued (invalid),
 * otherwise the digit is 11 - remainder.
 */
#ifndef LASTERI_YTUNNUS_H
#define LASTERI_YTUNNUS_H

/* 1 when s is a well-formed Y-tunnus with a correct check digit, else 0. */
int	ytunnus_is_valid(const char *s);

/* The check digit for seven digits, or -1 when there is none (remainder 1)
 * or the input is not seven digits. */
int	ytunnus_check_digit(const char *seven);

#endif
