"""Correction requests (GDPR art. 16, berigtigelse): the writes are in `services`."""
