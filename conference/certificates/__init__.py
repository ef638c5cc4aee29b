"""Certificates of attendance: for every delegate checked in at least once, a signed PDF with
the days and sessions they attended, checked on a public page its QR code opens."""
