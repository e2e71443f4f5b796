/*
 * ytunnus.c - Y-tunnus check digits (see ytunnus.h).
 */
#include "config.h"

#include <string.h>

#include "ytunnus.h"

int
ytunnus_check_digit(const char *seven)
{
	static const int w[7] = { 7, 9, 10, 5, 8, 4, 2 };
	int i, sum = 0, r;

	for (i = 0; i < 7; i++) {
		if (seven[i] < '0' || seven[i] > '9')
			return -1;
		sum += (seven[i] - '0') * w[i];
	}
	r = sum % 11;
	if (r == 1)
		return -1;
	return r == 0 ? 0 : 11 - r;
}

int
ytunnus_is_valid(const char *s)
{
	int c;

	if (s == NULL || strlen(s) != 9 || s[7] != '-')
		return 0;
	if (s[8] < '0' || s[8] > '9')
		return 0;
	if ((c = ytunnus_check_digit(s)) == -1)
		return 0;
	return c == s[8] - '0';
}
