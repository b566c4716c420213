"""The one exception type users see when their input data is not usable."""


class InputDataError(ValueError):
    """Bad input data: the message names the file, the column, the problem and what to do.

    Raised by the raw reader and by every pipeline that checks its input, so a caller can
    catch one type for every data problem a user can fix on their side.
    """
