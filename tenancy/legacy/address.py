"""A one-line US address ("12155 metro pkwy suite 12 fort myers fl 33966") into its parts.

The original platform kept `companyAddress` as free text; `usaddress` (a trained
sequence tagger) labels its words, and we keep the parse only when it is a whole
street address: a street, a city, a state and a ZIP.
"""

from __future__ import annotations

import string

import usaddress

_PLACE_LABELS = {"PlaceName", "StateName", "ZipCode", "CountryName"}


def parse_us_address(text: str) -> dict[str, str] | None:
    """`Address` fields, or None when the text is not recognisably one street address."""
    try:
        tagged, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
    if kind != "Street Address" or not {"PlaceName", "StateName", "ZipCode"} <= tagged.keys():
        return None
    street = " ".join(value for label, value in tagged.items() if label not in _PLACE_LABELS)
    state = tagged["StateName"].strip(" .,").upper()
    if not street or len(state) != 2:
        return None
    return {
        "street": street.strip(" ,"),
        "city": string.capwords(tagged["PlaceName"].strip(" ,")),
        "state": state,
        "postalCode": tagged["ZipCode"].strip(" ,"),
        "country": "US",
    }
