"""Seat-limited sign-up with priority admission, run by email."""
