"""Badges: signing keys, tokens in QR codes, PDF badges for one delegate or thousands."""
