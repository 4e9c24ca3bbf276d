"""``newsletter preview``: a live browser preview of the issues while they are being written."""
