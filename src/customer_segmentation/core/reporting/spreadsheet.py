"""Tables that people open in a spreadsheet: text cells that cannot run as formulas."""

import pandas as pd

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that cannot run as spreadsheet formulas (a copy if any changed).

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (the OWASP rule), which spreadsheets show as text. Numeric columns are
    untouched, so a negative amount stays a number.
    """
    safe = frame
    for name in frame.columns:
        if not pd.api.types.is_string_dtype(frame[name]):
            continue
        risky = frame[name].str.startswith(FORMULA_PREFIXES, na=False)
        if risky.any():
            safe = safe.copy() if safe is frame else safe
            safe[name] = frame[name].mask(risky, "'" + frame[name])
    return safe
