/*
 * terms_default.c — the shipped access-term table, built in: used when a
 * home has no access-terms.csv, and what `arhiivar init` writes there.
 * It must stay byte-identical to policy/access-terms.csv (a unit test
 * compares them); edit both together.
 */
#include "arhiivar/terms.h"

const char *
arh_terms_default(void)
{
	return
	    "basis,max_years,extension_years,personal_data,note\n"
	    "AvTS § 35 lg 1 p 1,5,5,no,\"Information collected in criminal or misdemeanour proceedings. Internal use (AK): at most 5 years, extendable once by at most 5 while the ground persists.\"\n"
	    "AvTS § 35 lg 1 p 2,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 3,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 4,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 5,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 6,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 7,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 8,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 9,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 10,5,5,no,Internal use (AK): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 1 p 11,75,0,yes,\"Special categories of personal data (eriliiki isikuandmed). 75 years from creation, or until 30 years after the person's death (110 years after birth when the death is not known); no extension.\"\n"
	    "AvTS § 35 lg 1 p 12,75,0,yes,\"Personal data whose disclosure would significantly harm the person's privacy (isikuandmed). 75 years from creation, or until 30 years after the person's death (110 years after birth when the death is not known); no extension.\"\n"
	    "AvTS § 35 lg 2 p 1,5,5,no,Internal use by decision of the head of the agency (AvTS § 35 lg 2): at most 5 years + one extension of at most 5.\n"
	    "AvTS § 35 lg 2 p 2,5,5,no,Internal use by decision of the head of the agency (AvTS § 35 lg 2): at most 5 years + one extension of at most 5.\n";
}
