"""The shape of a partner's return as a spreadsheet: what the download writes and the upload reads.

Row 1 of the Return sheet holds these headings, in this order, so that a downloaded file can be
read back; evidence is written one link a line, as a title, a vertical bar and a web address.
"""

SHEET_NAME = "Return"
HEADERS = ("Code", "Change", "Level", "Rationale", "Evidence", "Confidence")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIDENCE_SEPARATOR = " | "
EVIDENCE_EXAMPLE = "Discharge policy | https://example.org/policy"
